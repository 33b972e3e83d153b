"""The preview window's display probe, run as a program of its own (preview.py runs its text in a child process):
it starts what OpenCV's window starts, on the display named, without drawing a window. It ends with code 0 where
a window can be drawn there; otherwise it fails as the window would have, saying why on stderr."""
from __future__ import annotations

import ctypes
import os
import re
import sys

# OpenCV's Qt makes its application object as its first window opens, and that is where a display that cannot be
# drawn on aborts the process (nothing there, a user not let in, the Qt platform plugin's libraries missing): made
# alone, it fails the same way and maps no window. Its constructor by each name it is exported under: Qt's own,
# and opencv-python's, whose Qt is built in a namespace of its own
QT_APPLICATION = ("_ZN12QApplicationC1ERiPPci", "_ZN14QtOpenCVPython12QApplicationC1ERiPPci")
QT_WIDGETS = re.compile(r"/libQt(\d)Widgets[^/]*\.so[^/]*$")
QT_VERSION = {"5": 0x050F00, "6": 0x060000}  # the version the constructor is told the caller was built against


def _qt_widgets() -> tuple[str, str] | None:
    """The Qt Widgets library this process loaded with OpenCV, and its major version; None where it loaded none."""
    try:
        with open("/proc/self/maps") as maps:
            for line in maps:
                if (found := QT_WIDGETS.search(line.strip())) is not None:
                    return line.split(None, 5)[-1].strip(), found[1]
    except OSError:
        pass
    return None


def _start_qt() -> tuple | None:
    """Makes Qt's application object as OpenCV's window would (aborting where it cannot); returns what Qt keeps
    pointers to, to be kept until the process ends. None where this OpenCV has no Qt whose constructor is found."""
    if (widgets := _qt_widgets()) is None:
        return None
    path, major = widgets
    try:
        library = ctypes.CDLL(path)
    except OSError:
        return None
    for name in QT_APPLICATION:
        try:
            start = library[name]
        except AttributeError:
            continue
        start.argtypes = [ctypes.c_void_p, ctypes.POINTER(ctypes.c_int), ctypes.c_void_p, ctypes.c_int]
        start.restype = None
        app = ctypes.create_string_buffer(256)  # a QApplication is a pointer or two: room to spare
        argc = ctypes.c_int(1)
        argv = (ctypes.c_char_p * 2)(b"vcam", None)
        start(app, ctypes.byref(argc), argv, QT_VERSION.get(major, QT_VERSION["5"]))
        return app, argc, argv
    return None


def main() -> None:
    import cv2

    kept = _start_qt()  # held until the process ends: Qt points to it
    if kept is not None:
        # left at once: Qt's own end would tear down what it made for a window never drawn
        sys.stderr.flush()
        os._exit(0)
    # an OpenCV of another build (GTK, or a Qt not found): its window, opened and closed, is the probe
    cv2.namedWindow("vcam")
    cv2.waitKey(1)
    cv2.destroyAllWindows()
    cv2.waitKey(1)


if __name__ == "__main__":
    main()
