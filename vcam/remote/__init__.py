"""GPU in one place, camera in another: `vcam serve` sends frames over WebSocket, `vcam cam` receives them.
The client side imports no torch."""
