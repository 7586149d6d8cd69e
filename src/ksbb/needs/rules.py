"""Who may do what with recipients, assessment rounds and needs (django-rules).

Needs are government data: the assessor (and the platform administrator) sees and
writes them; other roles see recipients only, without institutions' contact details.
The long-standing ``needs.view_recipient`` rule stays in accounts/rules.py.
"""

from __future__ import annotations

import rules

from ksbb.accounts.rules import is_assessor, is_government

# Institutions (recipients other than RWs).
rules.add_perm("needs.register_institution", is_government)
rules.add_perm("needs.verify_recipient", is_government)
rules.add_perm("needs.view_recipient_contact", is_government)

# Assessment rounds and needs.
rules.add_perm("needs.view_round", is_government)
rules.add_perm("needs.manage_round", is_assessor)
rules.add_perm("needs.view_need", is_government)
rules.add_perm("needs.set_need", is_assessor)
rules.add_perm("needs.view_needs_import", is_government)
