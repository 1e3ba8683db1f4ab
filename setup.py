"""Build step of the package (all metadata is in pyproject.toml).

The criteria sets (criteria/*.yaml) and the demo returns (data/demo/) live at the top of the
repository, where the README and the criteria workflow name them. A built package (`pip
install .`, a wheel) carries copies of them in `ntm/_shipped/`, where `ntm.paths` finds them,
so that `ntm criteria list` works from any folder. An editable install reads them in place.
"""

from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
# folder in ntm/_shipped/ -> (folder in the repository, files)
SHIPPED = {"criteria": ("criteria", "*.yaml"), "demo": ("data/demo", "*")}


class BuildWithShippedData(build_py):
    def run(self) -> None:
        super().run()
        if self.editable_mode:  # an editable install reads them from the checkout
            return
        for name, (folder, pattern) in SHIPPED.items():
            target = Path(self.build_lib) / "ntm" / "_shipped" / name
            self.mkpath(str(target))
            for source in sorted((ROOT / folder).glob(pattern)):
                if source.is_file():
                    self.copy_file(str(source), str(target / source.name))


setup(cmdclass={"build_py": BuildWithShippedData})
