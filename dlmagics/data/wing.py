"""The data wing: %dldata's options and help. The work is in dataset.py (``load``)."""

from __future__ import annotations

from ..wing import Context, MagicSpec, Wing, arg

DLDATA = MagicSpec(
    "dldata", printed_in_scripts=True,
    usage="%dldata PATH [--size N]",
    args=(
        arg("path", nargs="?", metavar="PATH", help="A folder of images in class folders, CIFAR-10's python "
                                                    "batches, a folder with MNIST's IDX files, or an .npz."),
        arg("--size", metavar="N", help="Resize every image to N x N pixels when the dataset gives it (needed when "
                                        "sizes are mixed, for a DataLoader to stack them)."),
    ),
    doc="""Look at a dataset before training on it, and get it as a PyTorch dataset.

        PATH is a folder of images in class folders (cats/1.png, dogs/2.jpg; optionally
        under train/ and test/ or val/), CIFAR-10's python batches (the folder, or one batch
        file), a folder with MNIST's IDX files, or an .npz with x and y (or x_train,
        y_train, x_test, y_test). The report says, with a few pictures of each class:

        - the classes and how many images each has, and whether they are imbalanced;
        - the image sizes and modes (RGB, RGBA, grey), and what to pass when sizes are mixed;
        - the files it could not use and why (empty, damaged, not an image, too large),
          and the hidden files and folders it skipped (.ipynb_checkpoints is not a class);
        - test images that are also in train, byte for byte;
        - the mean and std of each channel: the numbers for a Normalize.

        The report is shown; the result is the dataset: ``ds[i]`` is (a float tensor C x H x W in [0, 1], the
        class number), ready for ``torch.utils.data.DataLoader(ds, batch_size=32,
        shuffle=True)``; ``ds.classes``, ``ds.report`` (``.to_dict()``), and ``ds.train`` and
        ``ds.test`` when the source has splits. In Python: ``dlmagics.data.load(PATH)``.
        A large folder shows its progress; interrupting keeps what was read.
        ``%train_demo cnn --data PATH`` and ``transfer`` train on the same sources.

        A pickle that would run code is refused unread; only regular files are opened.

        Examples::

          ds = %dldata ~/data/pets
          ds = %dldata ~/data/cifar-10-batches-py
          ds = %dldata ~/data/photos --size 64
        """)


class DataWing(Wing):
    name = "data"
    magics = (DLDATA,)

    def run(self, name, args, ctx: Context):
        from . import command

        dataset = command.dldata(args, ctx.show if ctx.watched else None)
        ctx.show(dataset.report)  # shown even when the dataset is assigned (ds = %dldata PATH)
        return dataset


WING = DataWing
