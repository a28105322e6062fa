package io.cifarstream.dataset;

import java.io.IOException;
import java.util.List;

/** Where the CIFAR-10 binary files are read from: the official tar.gz or an unpacked folder. */
interface BatchSource {
    /** Reads one whole split, validated; never a partial one. */
    CifarImages load(Split split) throws IOException;

    /** Reads only batches.meta.txt. */
    List<String> classNames() throws IOException;
}
