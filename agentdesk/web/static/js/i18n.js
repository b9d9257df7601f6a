// Translations. Spanish is the default; a user's language (or the toggle)
// picks English. Both dictionaries must have the same keys: the browser
// test checks missingKeys().
const es = {
  'app.name': 'Atiende',
  'nav.console': 'Consola', 'nav.wallboard': 'Tablero', 'nav.network': 'Red', 'nav.tickets': 'Tickets',
  'nav.logout': 'Salir', 'nav.lang': 'English',
  'ws.online': 'En línea', 'ws.offline': 'Sin conexión; reintentando…',
  'err.generic': 'Ocurrió un error', 'loading': 'Cargando…', 'none': 'Ninguno',
  'save': 'Guardar', 'cancel': 'Cancelar', 'close': 'Cerrar', 'confirm': 'Confirmar',
  'login.title': 'Iniciar sesión', 'login.subtitle': 'Mesa de servicio', 'login.username': 'Usuario',
  'login.password': 'Contraseña', 'login.submit': 'Entrar', 'login.failed': 'Usuario o contraseña incorrectos',
  'role.agent': 'Agente', 'role.technician': 'Técnico', 'role.supervisor': 'Supervisor', 'role.network': 'Redes', 'role.admin': 'Administrador',
  'state.logged_out': 'Desconectado', 'state.available': 'Disponible', 'state.ringing': 'Timbrando',
  'state.on_call': 'En llamada', 'state.wrap_up': 'Post-llamada', 'state.paused': 'En pausa',
  'reason.lunch': 'Comida', 'reason.break': 'Descanso', 'reason.training': 'Capacitación', 'reason.meeting': 'Reunión',
  'reason.other': 'Otro', 'reason.ring no answer': 'Sin respuesta', 'reason.unreachable': 'Inalcanzable',
  'console.title': 'Consola del agente', 'console.extension': 'Extensión', 'console.noExtension': 'Sin extensión asignada',
  'console.presence': 'Presencia', 'console.setAvailable': 'Disponible', 'console.setPaused': 'Pausa',
  'console.setWrapUp': 'Post-llamada', 'console.setLoggedOut': 'Desconectarse', 'console.pauseReason': 'Motivo de la pausa',
  'console.inState': 'Tiempo en estado', 'console.queues': 'Colas', 'console.waiting': '{n} en espera',
  'console.noCall': 'Sin llamadas. La ficha del llamante aparecerá aquí cuando suene su teléfono.',
  'pop.incoming': 'Llamada entrante', 'pop.talking': 'En llamada', 'pop.ended': 'Llamada terminada',
  'pop.abandoned': 'El llamante colgó', 'pop.displayName': 'Nombre mostrado', 'pop.name': 'Nombre',
  'pop.number': 'Número', 'pop.department': 'Departamento', 'pop.email': 'Correo',
  'pop.unknown': 'Llamante desconocido', 'pop.createContact': 'Crear contacto', 'pop.contactCreated': 'Contacto creado',
  'pop.ivrPath': 'Ruta en el IVR', 'pop.ticket': 'Ticket', 'pop.otherTickets': 'Otros tickets abiertos del llamante',
  'pop.lastTickets': 'Últimos cinco tickets', 'pop.noTickets': 'Sin tickets', 'pop.majorIncident': 'Incidente mayor en este servicio',
  'pop.checklist': 'Lista de verificación del servicio', 'pop.callTimer': 'Duración', 'pop.wrapUp': 'Post-llamada',
  'pop.queue': 'Cola', 'pop.dismiss': 'Cerrar ficha', 'pop.callback': 'Devolución de llamada',
  'pop.conflict': 'Otra persona cambió el ticket mientras tanto. Se muestra la versión actual: revísela y vuelva a intentarlo.',
  'ticket.number': 'Número', 'ticket.subject': 'Asunto', 'ticket.state': 'Estado', 'ticket.priority': 'Prioridad',
  'ticket.kind': 'Tipo', 'ticket.service': 'Servicio', 'ticket.level': 'Nivel', 'ticket.impact': 'Impacto',
  'ticket.urgency': 'Urgencia', 'ticket.assignee': 'Asignado a', 'ticket.created': 'Creado', 'ticket.updated': 'Actualizado',
  'ticket.parent': 'Incidente padre', 'ticket.description': 'Descripción', 'ticket.caller': 'Llamante',
  'ticket.major': 'Incidente mayor', 'ticket.version': 'Versión',
  'ticketState.registered': 'Registro', 'ticketState.in_progress': 'En proceso', 'ticketState.pending_user': 'Pendiente por el usuario',
  'ticketState.on_hold': 'En espera', 'ticketState.resolved': 'Terminada', 'ticketState.closed': 'Cerrada', 'ticketState.rejected': 'No procede',
  'kind.complaint': 'Queja', 'kind.incident': 'Incidente', 'kind.information_request': 'Solicitud de información',
  'kind.change_request': 'Solicitud de cambio', 'kind.observation': 'Observación',
  'level3.low': 'Bajo', 'level3.medium': 'Medio', 'level3.high': 'Alto',
  'act.classify': 'Clasificar', 'act.prioritise': 'Priorizar', 'act.escalate': 'Escalar', 'act.note': 'Nota',
  'act.internal': 'Interna (no se envía al usuario)', 'act.addNote': 'Agregar nota', 'act.transition': 'Cambiar estado',
  'act.moveTo': 'Pasar a «{s}»', 'act.link': 'Vincular a incidente padre', 'act.parentNumber': 'Número del ticket padre',
  'act.reason': 'Motivo', 'act.reasonRequired': 'Este cambio requiere un motivo', 'act.saved': 'Guardado',
  'act.apply': 'Aplicar', 'act.priorityAuto': 'Según impacto y urgencia',
  'tickets.title': 'Tickets', 'tickets.search': 'Buscar', 'tickets.searchPlaceholder': 'Texto, número o teléfono',
  'tickets.allStates': 'Todos los estados', 'tickets.results': '{n} tickets', 'tickets.history': 'Historial',
  'tickets.notes': 'Notas', 'tickets.noNotes': 'Sin notas', 'tickets.back': 'Volver a la lista', 'tickets.empty': 'No hay tickets',
  'tickets.open': 'Abrir',
  'hist.at': 'Fecha', 'hist.actor': 'Quién', 'hist.field': 'Campo', 'hist.from': 'De', 'hist.to': 'A', 'hist.reason': 'Motivo',
  'wb.title': 'Tablero de supervisión', 'wb.queues': 'Colas', 'wb.queue': 'Cola', 'wb.waiting': 'En espera',
  'wb.longest': 'Espera más larga', 'wb.sl': 'Nivel de servicio', 'wb.asa': 'Vel. media de respuesta',
  'wb.abandoned': 'Abandono', 'wb.callbacks': 'Devoluciones pendientes', 'wb.answered': 'Atendidas', 'wb.agents': 'Agentes',
  'wb.agent': 'Agente', 'wb.ext': 'Ext.', 'wb.state': 'Estado', 'wb.time': 'Tiempo', 'wb.reason': 'Motivo', 'wb.actions': 'Acciones',
  'wb.pause': 'Pausar', 'wb.logout': 'Desconectar', 'wb.fullscreen': 'Pantalla completa', 'wb.exitFullscreen': 'Salir de pantalla completa',
  'wb.pauseTitle': 'Pausar a {a}', 'wb.confirmLogout': '¿Desconectar a {a}?',
  'net.title': 'Extensiones telefónicas', 'net.extension': 'Extensión', 'net.state': 'Estado', 'net.contact': 'Contacto',
  'net.ua': 'Teléfono (user agent)', 'net.rtt': 'RTT', 'net.since': 'Desde', 'net.reason': 'Motivo',
  'net.filterState': 'Estado', 'net.filterText': 'Filtrar por extensión, contacto o teléfono', 'net.all': 'Todas',
  'net.changes': 'Cambios recientes', 'net.count': '{n} extensiones',
  'extState.registered': 'Registrada', 'extState.unregistered': 'No registrada', 'extState.unreachable': 'Inalcanzable',
  'net.onCallWith': 'en llamada con {peer}', 'net.onCall': 'en llamada', 'net.onCalls': 'en {n} llamadas: {peers}',
  'net.queueOrMenu': 'la mesa de ayuda',
  // Wallboard tickets, SLA and day chart; console extension and wrap-up; admin page.
  'wb.tickets': 'Tickets abiertos', 'wb.ticketsOpen': '{n} abiertos', 'wb.byState': 'Por estado',
  'wb.byPriority': 'Por prioridad', 'wb.byLevel': 'Por nivel', 'wb.priorityN': 'Prioridad {n}', 'wb.levelN': 'Nivel {n}',
  'wb.sla': 'SLA de resolución', 'wb.slaPast': 'Vencidos ({n})', 'wb.slaNear': 'Por vencer ({n})', 'wb.due': 'Vence',
  'wb.more': 'y {n} más', 'wb.updated': 'Actualizado a las {t}', 'wb.statsError': 'No se pudieron cargar los tickets',
  'wb.chart': 'Llamadas por 15 minutos y nivel de servicio del día', 'wb.chartCalls': 'Llamadas',
  'wb.chartSL': 'Nivel de servicio acumulado (meta 80 %)',
  'wb.chartBefore': 'Antes de abrir esta página: {n} llamadas hoy, sin desglose por 15 minutos (incluidas en el nivel de servicio).',
  'console.pickExtension': 'Extensión para esta sesión', 'console.extensionDefault': 'La asignada ({e})',
  'console.extensionOther': 'Otra extensión…', 'console.extensionSet': 'Extensión {e} en uso',
  'console.wrapUpLeft': 'Post-llamada: quedan {s}', 'console.wrapUpDone': 'Post-llamada terminada',
  'nav.admin': 'Administración',
  'adm.title': 'Administración', 'adm.users': 'Usuarios', 'adm.catalog': 'Catálogo', 'adm.queues': 'Colas y agentes', 'adm.announcements': 'Anuncios del IVR', 'adm.maintenance': 'Mantenimientos',
  'adm.agents': 'Agentes y extensiones', 'adm.username': 'Usuario', 'adm.name': 'Nombre', 'adm.email': 'Correo',
  'adm.role': 'Rol', 'adm.language': 'Idioma', 'adm.extension': 'Extensión', 'adm.skills': 'Habilidades (colas, separadas por comas)',
  'adm.skillsShort': 'Habilidades', 'adm.level': 'Nivel', 'adm.disabled': 'Deshabilitado', 'adm.active': 'Activo',
  'adm.password': 'Contraseña', 'adm.passwordReset': 'Nueva contraseña (vacío: no cambia)', 'adm.newUser': 'Nuevo usuario',
  'adm.editUser': 'Editar a {u}', 'adm.create': 'Crear usuario', 'adm.created': 'Usuario {u} creado', 'adm.saved': 'Usuario {u} guardado',
  'adm.edit': 'Editar', 'adm.status': 'Estado', 'adm.queue': 'Cola', 'adm.services': 'Servicios', 'adm.code': 'Código',
  'adm.kind': 'Tipo por omisión', 'adm.24x7': 'Soporte 24x7', 'adm.checklist': 'Lista de verificación', 'adm.yes': 'Sí', 'adm.no': 'No',
  'adm.agentsMembers': 'Agentes con la habilidad', 'adm.mStart': 'Inicio', 'adm.mEnd': 'Fin', 'adm.mServices': 'Servicios afectados',
  'adm.mAreas': 'Áreas (separadas por comas; vacío: todas)', 'adm.mAreasShort': 'Áreas', 'adm.mSummaryES': 'Aviso en español',
  'adm.mSummaryEN': 'Aviso en inglés', 'adm.mSchedule': 'Programar mantenimiento', 'adm.mScheduled': 'Mantenimiento programado',
  'adm.mTooSoon': 'Hay que avisar a los contactos con {h} horas hábiles de anticipación: el inicio más próximo permitido es {when}.',
  'adm.mCancel': 'Cancelar', 'adm.mCancelled': 'Cancelado', 'adm.mConfirmCancel': '¿Cancelar el mantenimiento {id}? El aviso no se enviará.',
  'adm.mNotified': 'Aviso enviado', 'adm.mPending': 'Aviso pendiente', 'adm.mPast': 'Incluir pasados', 'adm.mEmpty': 'No hay mantenimientos',
  'adm.allAreas': 'Todas',
  // Weekly fault report (report.html).
  'nav.report': 'Reporte semanal',
  'rep.title': 'Reporte semanal de averías', 'rep.week': 'Semana', 'rep.prevWeek': 'Semana anterior', 'rep.nextWeek': 'Semana siguiente',
  'rep.show': 'Ver', 'rep.csv': 'Descargar CSV', 'rep.json': 'Descargar JSON', 'rep.badWeek': 'Escriba la semana como 2026-W47',
  'rep.period': 'Del {from} al {to} ({zone}); se compara con la semana {prev}.',
  'rep.business': 'Tiempos de resolución en horario hábil.', 'rep.wallClock': 'Tiempos de resolución en tiempo de reloj.',
  'rep.empty': 'Sin tickets en esta semana ni en la anterior.', 'rep.totals': 'Totales de la semana',
  'rep.opened': 'Abiertos', 'rep.resolved': 'Resueltos', 'rep.mean': 'Resolución media', 'rep.p90': 'Resolución p90',
  'rep.rsla': 'SLA de resolución', 'rep.fsla': 'SLA de primera respuesta', 'rep.repeated': 'Averías repetidas',
  'rep.previous': 'Semana anterior', 'rep.delta': 'Diferencia', 'rep.prevWeekValue': '{w}: {v}', 'rep.points': '{n} pts',
  'rep.chartVolume': 'Abiertos y resueltos por servicio', 'rep.chartTimes': 'Tiempo de resolución por servicio (horas)',
  'rep.byServiceKind': 'Por servicio y categoría', 'rep.cellNote': 'Cada cifra: esta semana, la anterior y la diferencia.',
  'rep.service': 'Servicio', 'rep.kind': 'Categoría', 'rep.all': 'Todos',
  'rep.repeatedFaults': 'Averías repetidas del mismo teléfono o extensión',
  'rep.repeatNote': 'Incidentes del mismo teléfono o extensión en los últimos {n} días, al menos uno en la semana.',
  'rep.noRepeats': 'Sin averías repetidas.', 'rep.by': 'Por', 'rep.value': 'Teléfono o extensión', 'rep.tickets': 'Tickets',
  'rep.inWeek': 'En la semana', 'rep.services': 'Servicios', 'rep.by.phone': 'Teléfono', 'rep.by.extension': 'Extensión',
  'net.owner': 'Responsable', 'net.ticket': 'Ticket', 'net.history': 'Historial de la extensión {ext}',
  'net.historyHint': 'Elija una extensión para ver su historial guardado.',
};

const en = {
  'app.name': 'Atiende',
  'nav.console': 'Console', 'nav.wallboard': 'Wallboard', 'nav.network': 'Network', 'nav.tickets': 'Tickets',
  'nav.logout': 'Log out', 'nav.lang': 'Español',
  'ws.online': 'Online', 'ws.offline': 'Offline; retrying…',
  'err.generic': 'Something went wrong', 'loading': 'Loading…', 'none': 'None',
  'save': 'Save', 'cancel': 'Cancel', 'close': 'Close', 'confirm': 'Confirm',
  'login.title': 'Log in', 'login.subtitle': 'Service desk', 'login.username': 'Username',
  'login.password': 'Password', 'login.submit': 'Log in', 'login.failed': 'Wrong username or password',
  'role.agent': 'Agent', 'role.technician': 'Technician', 'role.supervisor': 'Supervisor', 'role.network': 'Network', 'role.admin': 'Administrator',
  'state.logged_out': 'Logged out', 'state.available': 'Available', 'state.ringing': 'Ringing',
  'state.on_call': 'On call', 'state.wrap_up': 'Wrap-up', 'state.paused': 'Paused',
  'reason.lunch': 'Lunch', 'reason.break': 'Break', 'reason.training': 'Training', 'reason.meeting': 'Meeting',
  'reason.other': 'Other', 'reason.ring no answer': 'No answer', 'reason.unreachable': 'Unreachable',
  'console.title': 'Agent console', 'console.extension': 'Extension', 'console.noExtension': 'No extension assigned',
  'console.presence': 'Presence', 'console.setAvailable': 'Available', 'console.setPaused': 'Pause',
  'console.setWrapUp': 'Wrap-up', 'console.setLoggedOut': 'Log out of queues', 'console.pauseReason': 'Pause reason',
  'console.inState': 'Time in state', 'console.queues': 'Queues', 'console.waiting': '{n} waiting',
  'console.noCall': 'No calls. The caller card appears here when your phone rings.',
  'pop.incoming': 'Incoming call', 'pop.talking': 'On call', 'pop.ended': 'Call ended',
  'pop.abandoned': 'The caller hung up', 'pop.displayName': 'Display name', 'pop.name': 'Name',
  'pop.number': 'Number', 'pop.department': 'Department', 'pop.email': 'Email',
  'pop.unknown': 'Unknown caller', 'pop.createContact': 'Create contact', 'pop.contactCreated': 'Contact created',
  'pop.ivrPath': 'IVR path', 'pop.ticket': 'Ticket', 'pop.otherTickets': "Caller's other open tickets",
  'pop.lastTickets': 'Last five tickets', 'pop.noTickets': 'No tickets', 'pop.majorIncident': 'Major incident on this service',
  'pop.checklist': 'Service checklist', 'pop.callTimer': 'Duration', 'pop.wrapUp': 'Wrap-up',
  'pop.queue': 'Queue', 'pop.dismiss': 'Close card', 'pop.callback': 'Callback',
  'pop.conflict': 'Someone else changed the ticket meanwhile. It now shows the current version: check it and try again.',
  'ticket.number': 'Number', 'ticket.subject': 'Subject', 'ticket.state': 'State', 'ticket.priority': 'Priority',
  'ticket.kind': 'Kind', 'ticket.service': 'Service', 'ticket.level': 'Level', 'ticket.impact': 'Impact',
  'ticket.urgency': 'Urgency', 'ticket.assignee': 'Assignee', 'ticket.created': 'Created', 'ticket.updated': 'Updated',
  'ticket.parent': 'Parent incident', 'ticket.description': 'Description', 'ticket.caller': 'Caller',
  'ticket.major': 'Major incident', 'ticket.version': 'Version',
  'ticketState.registered': 'Registered', 'ticketState.in_progress': 'In progress', 'ticketState.pending_user': 'Pending user',
  'ticketState.on_hold': 'On hold', 'ticketState.resolved': 'Resolved', 'ticketState.closed': 'Closed', 'ticketState.rejected': 'Rejected',
  'kind.complaint': 'Complaint', 'kind.incident': 'Incident', 'kind.information_request': 'Information request',
  'kind.change_request': 'Change request', 'kind.observation': 'Observation',
  'level3.low': 'Low', 'level3.medium': 'Medium', 'level3.high': 'High',
  'act.classify': 'Classify', 'act.prioritise': 'Prioritise', 'act.escalate': 'Escalate', 'act.note': 'Note',
  'act.internal': 'Internal (not sent to the user)', 'act.addNote': 'Add note', 'act.transition': 'Change state',
  'act.moveTo': 'Move to "{s}"', 'act.link': 'Link to parent incident', 'act.parentNumber': 'Parent ticket number',
  'act.reason': 'Reason', 'act.reasonRequired': 'This change needs a reason', 'act.saved': 'Saved',
  'act.apply': 'Apply', 'act.priorityAuto': 'From impact and urgency',
  'tickets.title': 'Tickets', 'tickets.search': 'Search', 'tickets.searchPlaceholder': 'Text, number or phone',
  'tickets.allStates': 'All states', 'tickets.results': '{n} tickets', 'tickets.history': 'History',
  'tickets.notes': 'Notes', 'tickets.noNotes': 'No notes', 'tickets.back': 'Back to the list', 'tickets.empty': 'No tickets',
  'tickets.open': 'Open',
  'hist.at': 'When', 'hist.actor': 'Who', 'hist.field': 'Field', 'hist.from': 'From', 'hist.to': 'To', 'hist.reason': 'Reason',
  'wb.title': 'Supervisor wallboard', 'wb.queues': 'Queues', 'wb.queue': 'Queue', 'wb.waiting': 'Waiting',
  'wb.longest': 'Longest wait', 'wb.sl': 'Service level', 'wb.asa': 'Avg. speed of answer',
  'wb.abandoned': 'Abandoned', 'wb.callbacks': 'Callbacks pending', 'wb.answered': 'Answered', 'wb.agents': 'Agents',
  'wb.agent': 'Agent', 'wb.ext': 'Ext.', 'wb.state': 'State', 'wb.time': 'Time', 'wb.reason': 'Reason', 'wb.actions': 'Actions',
  'wb.pause': 'Pause', 'wb.logout': 'Log out', 'wb.fullscreen': 'Full screen', 'wb.exitFullscreen': 'Exit full screen',
  'wb.pauseTitle': 'Pause {a}', 'wb.confirmLogout': 'Log {a} out?',
  'net.title': 'Phone extensions', 'net.extension': 'Extension', 'net.state': 'State', 'net.contact': 'Contact',
  'net.ua': 'Phone (user agent)', 'net.rtt': 'RTT', 'net.since': 'Since', 'net.reason': 'Reason',
  'net.filterState': 'State', 'net.filterText': 'Filter by extension, contact or phone', 'net.all': 'All',
  'net.changes': 'Recent changes', 'net.count': '{n} extensions',
  'extState.registered': 'Registered', 'extState.unregistered': 'Unregistered', 'extState.unreachable': 'Unreachable',
  'net.onCallWith': 'on a call with {peer}', 'net.onCall': 'on a call', 'net.onCalls': 'on {n} calls: {peers}',
  'net.queueOrMenu': 'the help desk',
  // Wallboard tickets, SLA and day chart; console extension and wrap-up; admin page.
  'wb.tickets': 'Open tickets', 'wb.ticketsOpen': '{n} open', 'wb.byState': 'By state',
  'wb.byPriority': 'By priority', 'wb.byLevel': 'By level', 'wb.priorityN': 'Priority {n}', 'wb.levelN': 'Level {n}',
  'wb.sla': 'Resolution SLA', 'wb.slaPast': 'Past due ({n})', 'wb.slaNear': 'Near due ({n})', 'wb.due': 'Due',
  'wb.more': 'and {n} more', 'wb.updated': 'Updated at {t}', 'wb.statsError': 'Could not load the tickets',
  'wb.chart': 'Calls per 15 minutes and service level today', 'wb.chartCalls': 'Calls',
  'wb.chartSL': 'Cumulative service level (target 80%)',
  'wb.chartBefore': 'Before this page opened: {n} calls today, without a 15-minute breakdown (counted in the service level).',
  'console.pickExtension': 'Extension for this session', 'console.extensionDefault': 'My assigned one ({e})',
  'console.extensionOther': 'Another extension…', 'console.extensionSet': 'Using extension {e}',
  'console.wrapUpLeft': 'Wrap-up: {s} left', 'console.wrapUpDone': 'Wrap-up over',
  'nav.admin': 'Administration',
  'adm.title': 'Administration', 'adm.users': 'Users', 'adm.catalog': 'Catalog', 'adm.queues': 'Queues and agents', 'adm.announcements': 'IVR announcements', 'adm.maintenance': 'Maintenance',
  'adm.agents': 'Agents and extensions', 'adm.username': 'Username', 'adm.name': 'Name', 'adm.email': 'Email',
  'adm.role': 'Role', 'adm.language': 'Language', 'adm.extension': 'Extension', 'adm.skills': 'Skills (queues, comma-separated)',
  'adm.skillsShort': 'Skills', 'adm.level': 'Level', 'adm.disabled': 'Disabled', 'adm.active': 'Active',
  'adm.password': 'Password', 'adm.passwordReset': 'New password (empty: unchanged)', 'adm.newUser': 'New user',
  'adm.editUser': 'Edit {u}', 'adm.create': 'Create user', 'adm.created': 'User {u} created', 'adm.saved': 'User {u} saved',
  'adm.edit': 'Edit', 'adm.status': 'Status', 'adm.queue': 'Queue', 'adm.services': 'Services', 'adm.code': 'Code',
  'adm.kind': 'Default kind', 'adm.24x7': '24x7 support', 'adm.checklist': 'Checklist', 'adm.yes': 'Yes', 'adm.no': 'No',
  'adm.agentsMembers': 'Agents with the skill', 'adm.mStart': 'Start', 'adm.mEnd': 'End', 'adm.mServices': 'Affected services',
  'adm.mAreas': 'Areas (comma-separated; empty: all)', 'adm.mAreasShort': 'Areas', 'adm.mSummaryES': 'Notice in Spanish',
  'adm.mSummaryEN': 'Notice in English', 'adm.mSchedule': 'Schedule maintenance', 'adm.mScheduled': 'Maintenance scheduled',
  'adm.mTooSoon': 'Contacts must be told {h} business hours ahead: the earliest allowed start is {when}.',
  'adm.mCancel': 'Cancel', 'adm.mCancelled': 'Cancelled', 'adm.mConfirmCancel': 'Cancel maintenance {id}? Its notice will not be sent.',
  'adm.mNotified': 'Notice sent', 'adm.mPending': 'Notice pending', 'adm.mPast': 'Include past', 'adm.mEmpty': 'No maintenance windows',
  'adm.allAreas': 'All',
  // Weekly fault report (report.html).
  'nav.report': 'Weekly report',
  'rep.title': 'Weekly fault report', 'rep.week': 'Week', 'rep.prevWeek': 'Previous week', 'rep.nextWeek': 'Next week',
  'rep.show': 'Show', 'rep.csv': 'Download CSV', 'rep.json': 'Download JSON', 'rep.badWeek': 'Write the week as 2026-W47',
  'rep.period': '{from} to {to} ({zone}); compared with week {prev}.',
  'rep.business': 'Resolution times in business hours.', 'rep.wallClock': 'Resolution times in wall-clock time.',
  'rep.empty': 'No tickets this week or the week before.', 'rep.totals': 'Week totals',
  'rep.opened': 'Opened', 'rep.resolved': 'Resolved', 'rep.mean': 'Mean resolution', 'rep.p90': 'P90 resolution',
  'rep.rsla': 'Resolution SLA', 'rep.fsla': 'First-response SLA', 'rep.repeated': 'Repeated faults',
  'rep.previous': 'Previous week', 'rep.delta': 'Difference', 'rep.prevWeekValue': '{w}: {v}', 'rep.points': '{n} pts',
  'rep.chartVolume': 'Opened and resolved per service', 'rep.chartTimes': 'Resolution time per service (hours)',
  'rep.byServiceKind': 'By service and category', 'rep.cellNote': 'Each figure: this week, the week before and the difference.',
  'rep.service': 'Service', 'rep.kind': 'Category', 'rep.all': 'All',
  'rep.repeatedFaults': 'Repeated faults from the same phone or extension',
  'rep.repeatNote': 'Incidents from the same phone or extension in the last {n} days, at least one this week.',
  'rep.noRepeats': 'No repeated faults.', 'rep.by': 'By', 'rep.value': 'Phone or extension', 'rep.tickets': 'Tickets',
  'rep.inWeek': 'This week', 'rep.services': 'Services', 'rep.by.phone': 'Phone', 'rep.by.extension': 'Extension',
  'net.owner': 'Owner', 'net.ticket': 'Ticket', 'net.history': 'History of extension {ext}',
  'net.historyHint': 'Pick an extension to see its stored history.',
};

const dicts = { es, en };
let lang = 'es';

export function setLang(l) {
  lang = dicts[l] ? l : 'es';
  document.documentElement.lang = lang;
}
export const getLang = () => lang;

// t translates key, replacing {name} with vars.name (as text).
export function t(key, vars) {
  let s = dicts[lang][key] ?? es[key] ?? key;
  if (vars) s = s.replace(/\{(\w+)\}/g, (m, k) => (k in vars ? String(vars[k]) : m));
  return s;
}

// tr translates a code (a state, a reason) under a prefix, showing the
// code itself when it has no translation (e.g. a free-text pause reason).
export function tr(prefix, code) {
  if (!code) return '';
  const k = prefix + '.' + code;
  return dicts[lang][k] ?? code;
}

// applyI18n fills [data-i18n] text and [data-i18n-placeholder|title].
export function applyI18n(root = document) {
  for (const n of root.querySelectorAll('[data-i18n]')) n.textContent = t(n.dataset.i18n);
  for (const n of root.querySelectorAll('[data-i18n-placeholder]')) n.placeholder = t(n.dataset.i18nPlaceholder);
  for (const n of root.querySelectorAll('[data-i18n-title]')) n.title = t(n.dataset.i18nTitle);
  document.title = t(document.body.dataset.title || 'app.name') + ' · Atiende';
}

// addMessages adds a module's own keys (a page part keeps its strings
// beside its code). Call it at the module's top level, before boot.
export function addMessages(moreEs, moreEn) {
  Object.assign(es, moreEs);
  Object.assign(en, moreEn);
}

// missingKeys lists keys present in one language and not the other.
export function missingKeys() {
  const a = Object.keys(es), b = Object.keys(en);
  return [...a.filter((k) => !(k in en)).map((k) => 'en:' + k), ...b.filter((k) => !(k in es)).map((k) => 'es:' + k)];
}

// dictionary returns a copy of one language's strings (tests compare the
// languages: no page in one may show the other's words).
export function dictionary(l) {
  return { ...(dicts[l] || {}) };
}
