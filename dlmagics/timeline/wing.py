"""The %dltimeline wing: its magic's options and help, and the timeline for the sidebar."""

from __future__ import annotations

from ..wing import Context, MagicSpec, Wing, arg

DLTIMELINE = MagicSpec(
    "dltimeline", printed_in_scripts=True,
    args=(
        arg("--from", dest="first", metavar="YEAR", help="The first year to show."),
        arg("--to", dest="last", metavar="YEAR", help="The last year to show."),
    ),
    doc="""The history of deep learning, from the logical neuron (1943) to ChatGPT (2022), as
        a timeline in the cell: each event with its date, a summary, its primary source, and
        the demos and quizzes that belong to it.

        It is the same timeline the JupyterLab sidebar shows, as static HTML for frontends
        without the sidebar (Notebook 7, VS Code, Colab) and for the saved notebook. The
        result's ``.to_dict()`` gives the events as data. Examples::

          %dltimeline
          %dltimeline --from 2006 --to 2015
        """)


class TimelineWing(Wing):
    name = "timeline"
    magics = (DLTIMELINE,)

    def run(self, name, args, ctx: Context):
        from . import command

        return command.dltimeline(args)

    def snapshot_part(self) -> dict:
        from .command import snapshot_part

        return snapshot_part()


WING = TimelineWing
