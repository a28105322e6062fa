package io.cifarstream.cli;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/** The words a text flag takes, exactly as written here. Checked when the command line is parsed. */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.FIELD)
@interface OneOf {
    String[] value();
}
