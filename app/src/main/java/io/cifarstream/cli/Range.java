package io.cifarstream.cli;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The values a numeric or duration flag takes: from {@link #min()} to {@link #max()}, each bound included unless
 * said otherwise (a duration is compared in seconds). For an array flag the range holds for every value. No bounds:
 * any value of the field's type. Checked when the command line is parsed (see {@link DeclaredFlags}).
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.FIELD)
@interface Range {
    double min() default Double.NEGATIVE_INFINITY;

    double max() default Double.POSITIVE_INFINITY;

    /** The minimum itself is not allowed. */
    boolean minExcluded() default false;

    /** The maximum itself is not allowed. */
    boolean maxExcluded() default false;
}
