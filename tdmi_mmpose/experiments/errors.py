"""What the research application raises for a problem the user can fix
(a missing run, a work dir of other data, a broken record); the tools turn
it into one line (:func:`.cli.one_line_errors`)."""


class ExperimentError(Exception):
    """A problem with the user's inputs or files; the message names the
    file or run and what to do."""
