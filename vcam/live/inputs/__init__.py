"""What the stream restyles: the sources an input spec (vcam.inspec) names. A clip and an image play by frame
position (clip.py), a camera and a laptop's uploads arrive on their own clock into a LiveFrames (live_frames.py,
camera.py), and the switch opens the one in use (switch.py). No torch: frames are numpy arrays."""
from vcam.live.inputs.camera import CameraSource, open_device
from vcam.live.inputs.clip import ClipSource, ImageSource
from vcam.live.inputs.live_frames import LiveFrames, spread
from vcam.live.inputs.source import FrameSource, InputError
from vcam.live.inputs.switch import InputSwitch, check_input, check_logged_inputs, open_source

__all__ = ["CameraSource", "ClipSource", "FrameSource", "ImageSource", "InputError", "InputSwitch", "LiveFrames",
           "check_input", "check_logged_inputs", "open_device", "open_source", "spread"]
