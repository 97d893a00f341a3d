"""H3: the per-address limits count the real client, never an address the client wrote itself."""

from core.portal.clients import UNKNOWN, client_address


def test_without_a_trusted_proxy_the_socket_peer_counts_and_the_header_is_ignored():
    assert client_address("203.0.113.7", "1.1.1.1", 0) == "203.0.113.7"
    assert client_address(None, "1.1.1.1", 0) == UNKNOWN


def test_behind_one_proxy_the_value_it_appended_counts_not_the_ones_the_client_wrote():
    # the client sent "X-Forwarded-For: 1.1.1.1"; nginx appended the address it saw
    assert client_address("127.0.0.1", "1.1.1.1, 198.51.100.4", 1) == "198.51.100.4"
    assert client_address("127.0.0.1", "198.51.100.4", 1) == "198.51.100.4"


def test_behind_two_proxies_the_second_value_from_the_right_counts():
    assert client_address("10.0.0.2", "6.6.6.6, 198.51.100.4, 10.0.0.1", 2) == "198.51.100.4"


def test_a_header_shorter_than_the_proxy_chain_is_not_believed():
    assert client_address("127.0.0.1", "", 1) == "127.0.0.1"
    assert client_address("127.0.0.1", None, 2) == "127.0.0.1"
    assert client_address("10.0.0.2", "198.51.100.4", 2) == "10.0.0.2"
