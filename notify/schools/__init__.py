"""Schools and kindergartens: the registry, what each level tells them, their notices with a
signed acknowledgement link, replies by SMS, escalation of silent schools, the dashboard and its
export. See README "Schools" for the county's side of it."""
