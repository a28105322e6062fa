package io.cifarstream.cli;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The form of a text flag: a regular expression the whole value matches, and how a person says it (the error message
 * uses {@link #describe()}). Checked when the command line is parsed.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.FIELD)
@interface Matches {
    String regex();

    /** What the expression allows, in words: "1 to 249 letters, digits, '.', '_' or '-'". */
    String describe();

    /** Kafka topic names: what a broker accepts. */
    String TOPIC = "[A-Za-z0-9._-]{1,249}";
    String TOPIC_WORDS = "a Kafka topic name: 1 to 249 letters, digits, '.', '_' or '-'";
    /** Group, application and instance ids. */
    String NAME = "[A-Za-z0-9._-]{1,100}";
    String NAME_WORDS = "1 to 100 letters, digits, '.', '_' or '-'";
    /** Kafka bootstrap servers: HOST:PORT, several separated by commas. */
    String SERVERS = "[A-Za-z0-9._\\[\\]:-]+:[0-9]{1,5}(,[A-Za-z0-9._\\[\\]:-]+:[0-9]{1,5})*";
    String SERVERS_WORDS = "HOST:PORT, or several separated by commas";
    /** A host name or an IP address to bind or reach. */
    String HOST = "[A-Za-z0-9._:\\[\\]-]{1,253}";
    String HOST_WORDS = "a host name or IP address";
}
