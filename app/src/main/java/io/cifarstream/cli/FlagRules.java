package io.cifarstream.cli;

import picocli.CommandLine;

/**
 * A command's rules that involve several flags (one needs another, two exclude each other, one bounds another),
 * checked with the declared values once the command line is parsed and before the command runs.
 */
interface FlagRules {

    /** Throws a {@link picocli.CommandLine.ParameterException} naming the flags when a rule is broken. */
    void checkFlags(CommandLine commandLine);
}
