"""The presets vcam ships (presets/: shows, MIDI and OSC maps), found where this vcam is: inside the package where a
wheel puts them (vcam/presets, pyproject's package-dir), else beside it in a checkout; and a shipped show named by
its name (`vcam run club`) where no file of that name is there."""
from __future__ import annotations

import filecmp
import itertools
import os
import re
from pathlib import Path

from vcam.control.yamlfiles import near_name
from vcam.control.yamlproblems import ConfigError
from vcam.control.yamlwrite import flow_yaml
from vcam.homefolder import home_expanded
from vcam.words import nearest, shell_word

SHOW_SUFFIXES = (".yaml", ".yml")


def presets_dir() -> Path:
    """vcam's own presets/, found from this module's file: site-packages/presets, which another package may have
    installed, is never taken for it (a checkout is told by its pyproject.toml beside the package)."""
    package = Path(__file__).resolve().parents[1]
    checkout = package.parent
    if not (package / "presets").is_dir() and (checkout / "pyproject.toml").is_file() \
            and (checkout / "presets").is_dir():
        return checkout / "presets"
    return package / "presets"


def yaml_names(folder: Path) -> list[str]:
    """The names of the *.yaml files in `folder`, sorted; none where it is missing."""
    return sorted(p.stem for p in folder.glob("*.yaml")) if folder.is_dir() else []


def shipped_shows() -> list[str]:
    """The names of the shows vcam ships (club, ambient, ...), each the name of a presets/*.yaml."""
    return yaml_names(presets_dir())


def maps_dir(kind: str) -> Path:
    """Where vcam's own maps for a `kind` (midi, osc) section are: presets/<kind>."""
    return presets_dir() / kind


def shipped_maps(kind: str) -> list[str]:
    """The names of the maps vcam ships for a `kind` (midi, osc) section, each a presets/<kind>/*.yaml."""
    return yaml_names(maps_dir(kind))


def shipped_map_meant(kind: str, ref: str) -> str | None:
    """The shipped map of `kind` that `ref` names mistyped, cut short, capitalised or given another ending
    (nanokontrol, nanoKONTROL2.yml: nanokontrol2); None for a path, or a name near none."""
    if "/" in ref or os.sep in ref:
        return None
    return nearest(ref.strip().lower().removesuffix(".yaml").removesuffix(".yml"), shipped_maps(kind))


def shipped_show(ref: str) -> Path | None:
    """The shipped show file that `ref` names by its name alone (`club`, `club.yaml`), else None: a path with a
    folder in it (`presets/club.yaml`, `./club`) names a file, never a shipped show."""
    if not ref or os.sep in ref or "/" in ref:
        return None
    stem = _stem(ref)
    return presets_dir() / f"{stem}.yaml" if stem in shipped_shows() else None


def _stem(name: str) -> str:
    """`name` without the ending a show file's name has, in any case (`club.YAML`: club)."""
    return next((name[:-len(s)] for s in SHOW_SUFFIXES if name.lower().endswith(s)), name)


def show_file(ref: str) -> str:
    """The show file the command line's SHOW names: `ref` itself where anything is there (a file; a folder or a
    link to nothing is said as such when it is read), else the shipped show of that name, unless the current folder
    holds a file of it (club.yaml for `club`: an edited copy of a shipped show is the one meant); ConfigError naming
    the shipped shows where it is neither."""
    if os.path.lexists(ref):
        return _not_a_backup(ref)
    # a quoted ~ the shell left alone (a script's "$SHOW", a service's command line): home, as --midi-map reads it
    if ref.startswith("~") and os.path.lexists(home := os.path.expanduser(ref)):
        return _not_a_backup(home)
    if not ref.strip():  # `vcam run "$SHOW"` with the variable unset: said as ": the show file does not exist"
        names = shipped_shows()
        shipped = f", or the name of a show vcam ships: {', '.join(names)}" if names else ""
        raise ConfigError([f"the show file's name is empty ({ref!r}: an unset variable in a script?); give the path "
                           f"of a show file{shipped}"])
    shipped = shipped_show(ref)
    if shipped is not None:
        local = [ref + s for s in SHOW_SUFFIXES if not ref.lower().endswith(SHOW_SUFFIXES) and os.path.lexists(ref + s)]
        return local[0] if local else str(shipped)
    # a quoted ~ is home here as above: its near names are those of the home folder's, not of a folder named ~ here
    near = near_name(home_expanded(ref) if ref.startswith("~") else Path(ref))
    fix = _slashed(ref) or near or _shipped_fix(ref)
    raise ConfigError([f"{ref}: the show file does not exist; {fix}"])


# The copies an editor or a tool keeps beside a file it changes: emacs's show.yaml~ (numbered: show.yaml.~2~), and
# show.yaml.bak and show.yaml.orig (many editors, patch, git's merge tool)
_BACKUP = re.compile(r"(?P<real>.+?)(?P<end>\.~\d+~|~+|\.bak|\.orig)", re.IGNORECASE)


def _not_a_backup(path: str) -> str:
    """`path`, unless it is the backup of a show file that is there: refused (backup_refused), with that file
    offered."""
    refusal = backup_refused(path, "show file", "play")
    if refusal is None:
        return path
    raise ConfigError([refusal])


def backup_refused(path: str, what: str, use: str, written: str | None = None) -> str | None:
    """Why `path` is refused where it is the backup of a YAML file (`what`: "show file", "MIDI map") that is there,
    else None. It was played as given, the older copy on air and the edits made to the file itself never reaching
    it: tab completion or a file list offers the backup beside the file as readily as the file. Where the file is
    gone, its backup is the one left and is taken; where the two are the same bytes, no edit was missed, and the
    backup is taken as given. `use`: what is done with it (play, use). `written`: the path as a show's `map:` writes
    it, where the fix is that line's, not a path to type."""
    folder, name = os.path.split(path)
    backup = _BACKUP.fullmatch(name)
    if backup is None or not backup["real"].lower().endswith(SHOW_SUFFIXES):
        return None
    real = os.path.join(folder, backup["real"])
    if not os.path.isfile(real) or _same_bytes(path, real):
        return None
    kind = "an editor's backup" if backup["end"].endswith("~") else f"a backup copy ({backup['end']})"
    copy = _free_copy(folder, backup["real"])
    said = shell_word(real)  # as the cp line says names: bare, `of my show.yaml` reads as two words
    article = "an" if what[:1] in "AEIOU" else "a"  # an OSC map file, a MIDI map file, a show file
    meant, named = said, ""
    if written is not None:  # the show's line to write, the file named as that line names files
        def line(name: str) -> str:
            named_so = os.path.join(os.path.dirname(written), name)
            return f"map: {flow_yaml(named_so) or named_so}"

        meant, named = line(backup["real"]), f", and write {line(os.path.basename(copy))}"
    return (f"{path}: this is {kind} of {said}, an older copy that edits to {said} do not reach; did you mean "
            f"{meant}? To {use} the backup itself, copy it to {article} {what} of its own: cp {shell_word(path)} "
            f"{shell_word(copy)}{named}")


def _same_bytes(one: str, other: str) -> bool:
    """Whether two files hold the same bytes; False where either cannot be read (the refusal then says which to
    play)."""
    try:
        return filecmp.cmp(one, other, shallow=False)
    except OSError:
        return False


def _free_copy(folder: str, name: str) -> str:
    """A name for a copy of file `name` in `folder` that no file has yet (show-backup.yaml, else show-backup-2.yaml,
    ...): the cp line offered must not write over a copy made of an earlier backup."""
    stem, ext = os.path.splitext(name)
    copies = (os.path.join(folder, f"{stem}-backup{f'-{n}' if n > 1 else ''}{ext}") for n in itertools.count(1))
    return next(c for c in copies if not os.path.lexists(c))


def _slashed(ref: str) -> str | None:
    """The fix for a path written with Windows' backslashes where folders are separated by / (`presets\\club.yaml`,
    a line copied from a Windows guide): the file it names with slashes, where there is one; else None."""
    slashed = ref.replace("\\", "/")
    if os.sep != "/" or slashed == ref or not os.path.lexists(slashed):
        return None
    return f"did you mean {slashed}? (folders are separated by / here)"


def _shipped_fix(ref: str) -> str:
    """The fix where `ref` is no file: the shipped show it was likely meant to be, else the path to check and the
    shipped shows' names (a pip install has no presets/ folder to give a path in)."""
    names = shipped_shows()
    if not names:
        return "check the path"
    path = ref.replace("\\", "/") if os.sep == "/" else ref  # a Windows path's folders too (presets\club.yaml)
    near = nearest(_stem(Path(path).name).lower(), names, cutoff=0.75)
    if near is not None:
        alone = " (its name alone, without a folder)" if os.path.dirname(path) else ""
        return f"did you mean {near}, a show vcam ships?{alone}"
    return f"check the path, or give the name of a show vcam ships: {', '.join(names)}"
