"""vcam/writeback.py: a file deleted while vcam writes it is written back whole, to the first place that takes it."""
from __future__ import annotations

import os
import tempfile

import pytest

from vcam.writeback import write_back

pytestmark = pytest.mark.skipif(os.name != "posix", reason="a file deleted while open stays readable on POSIX only")


def deleted_file(path, data: bytes = b"a take" * 1000) -> int:
    """A descriptor on `path`'s data, the file itself deleted."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    fd = os.open(path, os.O_RDONLY)
    path.unlink()
    return fd


def test_a_deleted_file_goes_back_under_its_name_its_folder_made_again(tmp_path):
    path = tmp_path / "takes" / "show.mp4"
    fd = deleted_file(path)
    os.rmdir(path.parent)
    try:
        assert write_back(fd, str(path)) == str(path)
    finally:
        os.close(fd)
    assert path.read_bytes() == b"a take" * 1000


def test_a_bare_name_goes_back_under_its_name_in_the_current_folder(tmp_path, monkeypatch):
    """A name with no folder: making its folder again failed, and it went to NAME-recovered with its name free."""
    monkeypatch.chdir(tmp_path)
    fd = deleted_file(tmp_path / "show.jsonl")
    try:
        assert write_back(fd, "show.jsonl") == "show.jsonl"
    finally:
        os.close(fd)
    assert (tmp_path / "show.jsonl").read_bytes() == b"a take" * 1000


def test_a_folder_that_is_a_link_to_a_deleted_folder_has_that_folder_made_again(tmp_path, monkeypatch):
    """takes -> disk/takes, the latter removed: the link was left dangling and the take went to the current folder."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "takes").symlink_to(tmp_path / "disk" / "takes")
    path = tmp_path / "takes" / "show.mp4"
    fd = deleted_file(tmp_path / "disk" / "takes" / "show.mp4")
    os.rmdir(tmp_path / "disk" / "takes")
    try:
        assert write_back(fd, str(path)) == str(path)
    finally:
        os.close(fd)
    assert (tmp_path / "disk" / "takes" / "show.mp4").read_bytes() == b"a take" * 1000


def test_where_another_file_took_the_name_it_goes_beside_it(tmp_path):
    path = tmp_path / "show.mp4"
    fd = deleted_file(path)
    path.write_bytes(b"another")
    try:
        assert write_back(fd, str(path)) == str(tmp_path / "show-recovered.mp4")
    finally:
        os.close(fd)
    assert path.read_bytes() == b"another" and (tmp_path / "show-recovered.mp4").read_bytes() == b"a take" * 1000


def test_where_a_file_has_its_folders_name_it_goes_to_the_current_folder(tmp_path, monkeypatch):
    """The folder deleted and a file made in its place: the take was lost, where the current folder could hold it."""
    here = tmp_path / "here"
    here.mkdir()
    monkeypatch.chdir(here)
    path = tmp_path / "takes" / "show.mp4"
    fd = deleted_file(path)
    os.rmdir(path.parent)
    path.parent.write_text("a file where the folder was")
    try:
        assert write_back(fd, str(path)) == str(here / "show-recovered.mp4")
    finally:
        os.close(fd)
    assert (here / "show-recovered.mp4").read_bytes() == b"a take" * 1000


def test_then_the_temporary_folder_and_where_none_takes_it_the_first_places_error(tmp_path, monkeypatch):
    path = tmp_path / "takes" / "show.mp4"
    fd = deleted_file(path)
    os.rmdir(path.parent)
    path.parent.write_text("a file where the folder was")
    gone = tmp_path / "gone"
    gone.mkdir()
    monkeypatch.chdir(gone)
    os.rmdir(gone)  # the current folder deleted too
    temp = tmp_path / "temp"
    temp.mkdir()
    monkeypatch.setattr(tempfile, "gettempdir", lambda: str(temp))
    try:
        assert write_back(fd, str(path)) == str(temp / "show-recovered.mp4")
        monkeypatch.setattr(tempfile, "gettempdir", lambda: str(path.parent))  # under a file: no folder at all
        with pytest.raises(OSError) as err:
            write_back(fd, str(path))
    finally:
        os.close(fd)
    # its own folder's (a file where the folder was), said first: the last place's is NotADirectoryError
    assert isinstance(err.value, FileExistsError), err.value
    assert (temp / "show-recovered.mp4").read_bytes() == b"a take" * 1000


def test_a_copy_that_fails_leaves_no_cut_file(tmp_path):
    path = tmp_path / "show.jsonl"
    path.write_text("x")
    fd = os.open(path, os.O_WRONLY)  # write-only: its data cannot be read back
    path.unlink()
    try:
        with pytest.raises(OSError):
            write_back(fd, str(path))
    finally:
        os.close(fd)
    assert not path.exists() and not list(tmp_path.iterdir())
