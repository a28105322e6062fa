package io.cifarstream.console;

/**
 * The one marker of failures a user can fix: the message is one line naming the cause and the fix in the words of
 * the domain ("no Kafka broker answers at localhost:9092: start one, or name a running cluster"), and
 * {@link #setting()} says which setting to change. Libraries and services never name command-line flags; the command
 * line maps the setting to the flag of the command that failed and prints the line without a stack trace.
 */
public interface UserFixable {

    /** What the user changes to fix the failure. */
    Setting setting();

    /** The one-line cause and fix ({@link Throwable#getMessage()} of the exception that implements this). */
    String getMessage();
}
