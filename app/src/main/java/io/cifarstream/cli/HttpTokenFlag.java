package io.cifarstream.cli;

import io.cifarstream.console.BearerToken;

import picocli.CommandLine.Option;

/**
 * The {@code --http-token} flag of every command that serves HTTP; {@link #token()} falls back to the
 * environment variable {@value BearerToken#ENV}, the better place for a secret.
 */
public final class HttpTokenFlag {

    @Matches(regex = "[!-~]+", describe = "printable ASCII without spaces")
    @Option(names = "--http-token", paramLabel = "TOKEN",
            description = "Require 'Authorization: Bearer TOKEN' on every HTTP request (default: the environment"
                    + " variable " + BearerToken.ENV + ", else no token). Prefer the variable: a flag's value is"
                    + " visible to other users in ps.")
    String token;

    /** The flag's token, else the environment's, else {@link BearerToken#open()}. */
    public BearerToken token() {
        return BearerToken.resolve(token, System.getenv());
    }
}
