"""The commands' progress bar on standard error (`ducha import`, `ducha sample`): one line
redrawn in place, shown when standard error is a terminal unless asked otherwise."""

from django.core.management.base import OutputWrapper

PROGRESS_CHOICES = ("auto", "always", "never")


def add_progress_argument(parser) -> None:
    parser.add_argument(
        "--progress",
        choices=PROGRESS_CHOICES,
        default="auto",
        help="a progress bar on standard error (auto: when it is a terminal)",
    )


def shown(option: str, stream: OutputWrapper) -> bool:
    return option == "always" or (option == "auto" and stream.isatty())


class ProgressBar:
    WIDTH = 30

    def __init__(self, stream: OutputWrapper):
        self.stream = stream
        self.drawn = False

    def draw(self, share: float, counts: str) -> None:
        """The bar filled to `share` (0 to 1), then `counts` in words."""
        filled = round(share * self.WIDTH)
        self.stream.write(f"\r[{'#' * filled}{'-' * (self.WIDTH - filled)}] {share:4.0%} {counts}", ending="")
        self.stream.flush()
        self.drawn = True

    def close(self) -> None:
        if self.drawn:
            self.stream.write("")  # end the line the bar was drawn on
