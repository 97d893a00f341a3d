"""Words for the demo data: products, people, and ticket conversations in English and Spanish."""

PRODUCTS = ("Mesa Cloud", "Mesa Mobile", "Billing Portal", "Data Connector")

STAFF = (
    # email, name, role, password (demo only; printed by `make run`)
    ("admin@mesa.example", "Alex Admin", "admin", "mesa-admin-demo"),
    ("manager@mesa.example", "Marta Manager", "manager", "mesa-manager-demo"),
    ("ana@mesa.example", "Ana Ruiz", "agent", "mesa-agent-demo"),
    ("liam@mesa.example", "Liam Carter", "agent", "mesa-agent-demo"),
)
HELP_WRITERS = ("ana@mesa.example",)  # may write help-center articles (the admin always may)

CUSTOMERS = {
    "en": ("Olivia Brown", "James Wilson", "Emma Johnson", "Noah Davies", "Sophia Taylor",
           "Oliver Evans", "Amelia Thomas", "Harry Roberts", "Isla Walker", "Jack Wright"),
    "es": ("Lucía García", "Hugo Martínez", "Martina López", "Pablo Sánchez", "Sofía Romero",
           "Daniel Navarro", "Carmen Torres", "Javier Díaz", "Elena Moreno", "Álvaro Ortega"),
}

# kind, subject, description
TICKETS = {
    "en": (
        ("incident", "Cannot log in after password change",
         "Since I changed my password this morning the app says 'invalid credentials'. I tried twice in Chrome and Firefox."),
        ("incident", "Export to CSV stops at 10,000 rows",
         "When I export the monthly report, the file always ends at row 10,000. The report has about 14,000 rows."),
        ("question", "How do I add a second user to my account?",
         "We hired a new colleague. Where can I invite her so she sees the same projects?"),
        ("question", "Where can I download my invoices?",
         "I need the invoices for the last quarter for our accountant. I could not find them in the settings."),
        ("improvement", "Dark mode for the mobile app",
         "It would be great to have a dark theme in the mobile app; I use it a lot at night."),
        ("incident", "Sync with the data connector fails every night",
         "The nightly sync ends with 'timeout while reading source'. It worked until last Tuesday."),
        ("question", "Can I change the billing currency?",
         "Our company moved to the UK. Can we pay in pounds instead of euros from next month?"),
        ("improvement", "Keyboard shortcuts in the editor",
         "Please add shortcuts for bold and lists in the editor, like in other tools."),
        ("incident", "Mobile app crashes when attaching a photo",
         "On Android 15, the app closes as soon as I pick a photo from the gallery. Screen recording attached."),
        ("question", "Is there an API for the reports?",
         "We would like to pull the weekly numbers into our dashboard automatically."),
    ),
    "es": (
        ("incident", "No puedo entrar después de cambiar la contraseña",
         "Desde que cambié la contraseña esta mañana la aplicación dice 'credenciales no válidas'. Lo he probado en Chrome y en Firefox."),
        ("incident", "La factura de octubre sale duplicada",
         "En el portal de facturación aparecen dos cargos iguales de octubre. Adjunto captura de pantalla."),
        ("question", "¿Cómo cambio el correo de mi cuenta?",
         "Quiero usar el correo de la empresa en lugar del personal. ¿Dónde se cambia?"),
        ("question", "¿Se pueden programar los informes?",
         "Me gustaría recibir el informe semanal cada lunes por correo sin tener que generarlo a mano."),
        ("improvement", "Filtrar tickets por fecha en la app móvil",
         "Sería muy útil poder filtrar por rango de fechas desde el móvil, como en la versión web."),
        ("incident", "El conector de datos no importa los acentos",
         "Los nombres con tildes llegan como 'GarcÃ­a'. El origen es un CSV en UTF-8."),
        ("question", "¿Cuántos usuarios incluye el plan básico?",
         "Estamos valorando pasar al plan básico y necesitamos saber el límite de usuarios."),
        ("improvement", "Exportar a Excel además de CSV",
         "Muchos compañeros trabajan con Excel; un botón para exportar a .xlsx nos ahorraría tiempo."),
        ("incident", "La aplicación móvil se queda en blanco al abrirla",
         "Desde la última actualización, en iPhone la pantalla se queda en blanco tras el logo."),
        ("question", "¿Dónde veo el estado de mi pedido de licencias?",
         "Pedimos diez licencias más el lunes y todavía no aparecen en la cuenta."),
    ),
}

REPLIES = {
    "en": {
        "ask": "Thanks for the details, {name}. Could you send us a screenshot of the error and the time it happened? Then we can look at the logs.",
        "answer": "Hello {name}, thanks for writing. We have checked this and found the cause; it is fixed now. Could you try again and tell us if it works?",
        "solve": "Great to hear it works now, {name}. We are marking the ticket as solved; just reply if anything else comes up.",
        "hold": "We have passed this to our engineering team and are waiting for their answer. We will write as soon as we know more.",
        "customer_more": "Here is the screenshot. It happened around 9:30 this morning.",
        "customer_thanks": "It works now, thank you!",
        "customer_again": "Sorry, it happened again today.",
        "note": "Checked the logs: same error as last week. Linked to the known issue.",
    },
    "es": {
        "ask": "Gracias por los detalles, {name}. ¿Nos puedes enviar una captura del error y la hora a la que ocurrió? Así revisamos los registros.",
        "answer": "Hola, {name}. Gracias por escribirnos. Hemos revisado el caso y encontrado la causa; ya está corregido. ¿Puedes probar de nuevo y contarnos?",
        "solve": "Nos alegra que ya funcione, {name}. Marcamos el ticket como resuelto; responde a este mensaje si necesitas algo más.",
        "hold": "Lo hemos pasado a nuestro equipo técnico y esperamos su respuesta. Te escribimos en cuanto sepamos algo.",
        "customer_more": "Aquí va la captura. Pasó hacia las 9:30 de esta mañana.",
        "customer_thanks": "Ya funciona, ¡gracias!",
        "customer_again": "Perdona, hoy ha vuelto a pasar.",
        "note": "Revisados los registros: mismo error que la semana pasada. Enlazado con la incidencia conocida.",
    },
}

COMMENTS = {
    "en": ("Quick and friendly, thanks!", "Solved on the first answer.", "Took a while but it was fixed.",
           "I had to explain it twice.", ""),
    "es": ("Rápidos y amables, ¡gracias!", "Resuelto a la primera.", "Tardó un poco, pero se solucionó.",
           "Tuve que explicarlo dos veces.", ""),
}

CANNED = (
    ("en", "Ask for a screenshot", "Hello {first_name},\n\nThank you for writing. Could you send us a screenshot of the "
     "error and tell us at what time it happened? Then we can look into it.\n\nBest regards"),
    ("en", "Solved: please confirm", "Hello {first_name},\n\nWe have fixed the problem reported in ticket #{ticket}. "
     "Could you try again and tell us if everything works?\n\nBest regards"),
    ("es", "Pedir una captura", "Hola, {first_name}:\n\nGracias por escribirnos. ¿Nos puedes enviar una captura del "
     "error y decirnos a qué hora ocurrió? Así podremos revisarlo.\n\nUn saludo"),
    ("es", "Resuelto: confirma, por favor", "Hola, {first_name}:\n\nHemos corregido el problema del ticket #{ticket}. "
     "¿Puedes probar de nuevo y contarnos si todo funciona?\n\nUn saludo"),
)
