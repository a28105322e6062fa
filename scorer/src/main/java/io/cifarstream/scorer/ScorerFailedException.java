package io.cifarstream.scorer;

/**
 * The scorer stopped because it cannot go on safely: it was fenced by a successor with the same transactional
 * id, the broker refused it permanently, or batches kept failing. Bad input never causes this. The message
 * names the cause and the fix.
 */
public final class ScorerFailedException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    ScorerFailedException(String message, Throwable cause) {
        super(message, cause);
    }
}
