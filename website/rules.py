"""Who may do what with the site-wide pieces: calendars (subscriptions and single-event downloads).

The querysets that scope calendar items to a person sit next to the rules (website/selectors.py asks them),
so a download by a foreign id is a 404 and a feed never carries another person's items.
"""

import rules

from accounts.rules import is_coordinator, is_counselor, is_facilitator, is_trainee, is_trainer

# Everyone whose work or training has dates: the calendar panel and the subscription page.
has_a_calendar = is_facilitator | is_counselor | is_trainer | is_trainee | is_coordinator
rules.add_perm("website.use_calendar", has_a_calendar)
# Coordinators may put any group session, booking or edition into their calendar; others only their own.
rules.add_perm("website.view_all_calendar_items", is_coordinator)
