package io.cifarstream.cli;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/** What a path flag must name. Checked when the command line is parsed, before anything is read or written. */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.FIELD)
@interface PathRule {
    Kind value();

    enum Kind {
        /** An existing regular file (a model, a properties file). */
        EXISTING_FILE("an existing file"),
        /** An existing folder. */
        EXISTING_FOLDER("an existing folder"),
        /** An existing file or folder (CIFAR-10 as a tar.gz or its folder). */
        EXISTING("an existing file or folder"),
        /** A file to write: a writable file if it exists, else the nearest folder above it that exists is writable. */
        WRITABLE_FILE("a file that can be written (its nearest existing folder writable)"),
        /** A folder to write in: a writable folder if it exists, else the nearest folder above it is writable. */
        WRITABLE_FOLDER("a folder that can be written (itself or its nearest existing parent)");

        private final String words;

        Kind(String words) {
            this.words = words;
        }

        String words() {
            return words;
        }
    }
}
