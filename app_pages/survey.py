"""The satisfaction survey from the solved email: one click records the score, then a comment."""

import streamlit as st

from core.tickets import surveys
from ui import actions, forms
from ui.app import t

query = st.query_params
raw_ticket, token, raw_score = query.get("ticket", ""), query.get("token", ""), query.get("score", "")
ticket_id = forms.whole_number(raw_ticket)
score = int(raw_score) if raw_score in {"1", "2", "3", "4", "5"} else None

st.title(t("survey.title"))
survey, problem = None, None
if ticket_id is not None:
    done = actions.run(surveys.answer_by_link, ticket_id, token, score=score)
    survey, problem = done.value, done.message
    if survey is not None and score is not None:  # the email's click, recorded once: a later rerun or a reload
        del query["score"]  # must not put it back over a score the customer picked here since
if survey is None:
    st.info(problem or t("survey.bad_link"))
    st.stop()

labels = {n: t(f"survey.score_{n}") for n in surveys.SCORES}
if survey.score:
    st.success(t("survey.thanks", label=labels[survey.score]), icon=":material/favorite:")
choice = st.segmented_control(t("survey.question"), list(labels), format_func=labels.__getitem__,
                              default=survey.score, key="survey_score")
comment = st.text_area(t("survey.comment"), value=survey.comment or "", key="survey_comment")
if st.button(t("survey.send"), type="primary", disabled=choice is None):
    done = actions.run(surveys.answer_by_link, ticket_id, token, score=choice, comment=comment)
    st.success(t("survey.saved")) if done.ok else st.error(done.message)
