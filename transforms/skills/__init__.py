"""Skills held and skills gaps, one rule per module, composed in `build`.

`framework` reads the skills framework, `evidence` turns learning evidence into the skills log, `requirements`
matches role skill profiles to people in post, `status` says how a skill stands on a day, `gap` gives the
per-person gaps, `summary` coverage per org unit and role now and 90 days ahead, `forecast` future capabilities;
`frames` holds the small helpers they share.
"""
