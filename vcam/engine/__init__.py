"""The model and its streaming loop: the only torch code besides `vcam.bench`.

`load` builds an `Engine` (transformer, VAE, text encoder) from a named config; `Engine.stream` starts a
`Stream`, which makes blocks of frames. Nothing is imported here, so that `vcam.engine.configs` and the like stay
light to import.
"""
