"""The admin web: knowledge-base editing, the staff queue and the dashboard."""
