"""``plot_image_gallery``: a grid of images (with optional true/predicted labels) shown or saved by matplotlib."""
from __future__ import annotations

import math

import numpy

from .. import backend


def as_array(value) -> numpy.ndarray:
    """A NumPy array from an Ember tensor, a NumPy array or nested lists."""
    if hasattr(value, "detach"):
        value = value.detach()
    return numpy.asarray(value)


def channels_last(data_format) -> bool:
    return (data_format or backend.image_data_format()) == "channels_last"


def _pyplot():
    try:
        import matplotlib.pyplot as pyplot
    except ImportError as error:
        raise ImportError("The `plot_image_gallery` function requires the `matplotlib` package. Please install it "
                          "with `pip install matplotlib`.") from error
    return pyplot


def plot_image_gallery(images, y_true=None, y_pred=None, label_map=None, rows=None, cols=None, value_range=(0, 255),
                       scale: float = 2, path=None, show=None, transparent: bool = True, dpi: int = 60,
                       legend_handles=None, data_format=None):
    """Plot ``rows x cols`` of the batch ``images`` (values in ``value_range``); save to ``path`` or show."""
    pyplot = _pyplot()
    if path is not None and show:
        raise ValueError("plot_gallery() expects either `path` to be set, or `show` to be true.")
    if (y_true is not None or y_pred is not None) and label_map is None:
        raise ValueError("If `y_true` or `y_pred` are provided, a `label_map` must also be provided.")
    images = as_array(images)
    if images.ndim != 4:
        raise ValueError("`plot_images_gallery()` requires you to batch your `np.array` samples together.")
    show = path is None if show is None else show
    rows = rows or int(math.ceil(math.sqrt(len(images))))
    cols = cols or int(math.ceil(len(images) // rows))
    images = images[:min(rows * cols, len(images))]
    if not channels_last(data_format):
        images = images.transpose(0, 2, 3, 1)
    low, high = value_range
    images = (images.astype("float32") - low) / (high - low) * 255.0  # Keras's value-range transform
    figure, axes = pyplot.subplots(nrows=rows, ncols=cols, figsize=(cols * scale, rows * scale), frameon=False,
                                   layout="tight", squeeze=False, sharex="row", sharey="col")
    figure.subplots_adjust(wspace=0, hspace=0)
    if legend_handles is not None:
        figure.legend(handles=legend_handles, loc="lower center")
    truths = None if y_true is None else as_array(y_true)
    predictions = None if y_pred is None else as_array(y_pred)
    for index in range(rows * cols):
        axis = axes[index // cols, index % cols]
        axis.axis("off")
        if index >= len(images):
            continue
        axis.imshow(images[index].astype("uint8"))
        axis.margins(x=0, y=0)
        title = []
        if truths is not None and index < len(truths):
            title.append(f"Label: {label_map.get(truths[index], 'Unknown')}")
        if predictions is not None and index < len(predictions):
            title.append(f"Pred: {label_map.get(predictions[index], 'Unknown')}")
        if title:
            axis.set_title("  ".join(title), fontsize=8)
    if path is not None:
        pyplot.savefig(fname=path, pad_inches=0, bbox_inches="tight", transparent=transparent, dpi=dpi)
        pyplot.close()
    elif show:
        pyplot.show()
        pyplot.close()
