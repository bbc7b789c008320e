"""One reader of the JSON files a user gives (annotations, predictions,
detections, boxes): local paths or whatever mmengine's file backends
reach, and a bad file answered with one line that names it."""
import json

from mmengine.fileio import get_local_path


def read_json(path, what='', hint=''):
    """The content of the JSON file ``path``.

    Args:
        path (str): A local path or an address mmengine's backends read.
        what (str): What the file is, for the error (``'prediction
            file'``). Default: ''.
        hint (str): What to give instead, for the error. Default: ''.

    Raises:
        ValueError: the file is not JSON: ``[what] PATH is not a JSON file
            (the parser's words)[; hint]``.
    """
    try:
        with get_local_path(path) as local, open(local) as f:
            return json.load(f)
    except json.JSONDecodeError as err:
        name = f'{what} {path}' if what else f'{path}'
        raise ValueError(f'{name} is not a JSON file ({err})' +
                         (f'; {hint}' if hint else '')) from None
