package io.cifarstream.cli;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/** How many comma-separated values a list flag takes. Checked when the command line is parsed. */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.FIELD)
@interface Count {
    int value();

    /** What each value is, in words, e.g. "R,G,B". */
    String describe();
}
