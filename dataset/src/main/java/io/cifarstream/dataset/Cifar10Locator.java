package io.cifarstream.dataset;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Finds CIFAR-10 on this machine, downloading it once when it is nowhere. Order: an explicit path (which must
 * exist), else {@code $CIFAR10_DATA}, else the cache file
 * {@code ($XDG_CACHE_HOME or ~/.cache)/cifar-stream/cifar-10-binary.tar.gz}, else the official file is downloaded
 * there: into a temporary file beside it, MD5-checked, then moved into place atomically, so the cache never holds a
 * partial or altered file. Without a network the download fails at once with a message saying how to point at a
 * local copy.
 */
public final class Cifar10Locator {
    public static final String ENV = "CIFAR10_DATA";
    public static final URI OFFICIAL_URL = URI.create("https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz");
    public static final String OFFICIAL_MD5 = "c32a1d4ab5d03f1284b67883e8d87530";
    static final String CACHE_FILE = "cifar-10-binary.tar.gz";
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration STALL_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration PROGRESS_INTERVAL = Duration.ofMillis(250);

    private final URI source;
    private final String md5;
    private final Map<String, String> environment;
    private final Path userHome;
    private final Duration connectTimeout;
    private final Duration stallTimeout;

    /** The official URL and checksum, this process's environment and home directory. */
    public Cifar10Locator() {
        this(OFFICIAL_URL, OFFICIAL_MD5);
    }

    /** Downloads from {@code source}, expecting the hex MD5 {@code md5}; this process's environment and home. */
    public Cifar10Locator(URI source, String md5) {
        this(source, md5, System.getenv(), Path.of(System.getProperty("user.home")));
    }

    /**
     * @param environment the variables to consult ({@value #ENV}, XDG_CACHE_HOME), e.g. {@code System.getenv()}
     * @param userHome    the home directory whose {@code .cache} is used when XDG_CACHE_HOME is unset
     */
    public Cifar10Locator(URI source, String md5, Map<String, String> environment, Path userHome) {
        this(source, md5, environment, userHome, CONNECT_TIMEOUT, STALL_TIMEOUT);
    }

    /**
     * @param connectTimeout how long to wait for the connection
     * @param stallTimeout   how long to wait for the response, and then for each next piece of the body
     */
    Cifar10Locator(URI source, String md5, Map<String, String> environment, Path userHome, Duration connectTimeout,
            Duration stallTimeout) {
        this.connectTimeout = Objects.requireNonNull(connectTimeout, "connectTimeout");
        this.stallTimeout = Objects.requireNonNull(stallTimeout, "stallTimeout");
        this.source = Objects.requireNonNull(source, "source");
        this.md5 = Objects.requireNonNull(md5, "md5").toLowerCase(Locale.ROOT);
        if (!this.md5.matches("[0-9a-f]{32}")) {
            throw new IllegalArgumentException("md5 must be 32 hex digits: " + md5);
        }
        this.environment = Map.copyOf(environment);
        this.userHome = Objects.requireNonNull(userHome, "userHome");
    }

    /**
     * Where CIFAR-10 is, downloading it into the cache when it is nowhere else.
     *
     * @param explicit a path the user gave (e.g. {@code --data}); it must exist
     * @throws DataUnavailableException when a given path does not exist or the download fails
     */
    public Path locate(Optional<Path> explicit, DownloadListener listener) throws IOException {
        Objects.requireNonNull(listener, "listener");
        if (explicit.isPresent()) {
            Path path = explicit.get();
            if (!Files.exists(path)) {
                throw new DataUnavailableException(path + " does not exist. Give the path of "
                        + CACHE_FILE + " or of its unpacked " + Split.FOLDER + "/ folder.");
            }
            return path;
        }
        String fromEnvironment = environment.get(ENV);
        if (fromEnvironment != null && !fromEnvironment.isBlank()) {
            Path path = Path.of(fromEnvironment);
            if (!Files.exists(path)) {
                throw new DataUnavailableException(ENV + "=" + fromEnvironment + " does not exist. Set it to the "
                        + "path of " + CACHE_FILE + " or of its unpacked " + Split.FOLDER + "/ folder, or unset it "
                        + "to use " + cacheFile() + ".");
            }
            return path;
        }
        Path cached = cacheFile();
        if (Files.isRegularFile(cached)) {
            return cached;
        }
        return download(listener);
    }

    /** {@code ($XDG_CACHE_HOME or ~/.cache)/cifar-stream/cifar-10-binary.tar.gz}; it may not exist yet. */
    public Path cacheFile() {
        String xdg = environment.get("XDG_CACHE_HOME");
        // The XDG specification says relative values are invalid and must be ignored.
        Path cacheHome = xdg != null && !xdg.isBlank() && Path.of(xdg).isAbsolute()
                ? Path.of(xdg) : userHome.resolve(".cache");
        return cacheHome.resolve("cifar-stream").resolve(CACHE_FILE);
    }

    /** Downloads the file into {@link #cacheFile()} (replacing any there), verified; returns its path. */
    public Path download(DownloadListener listener) throws IOException {
        Path target = cacheFile();
        Files.createDirectories(target.getParent());
        Path partial = Files.createTempFile(target.getParent(), CACHE_FILE + ".", ".part");
        try {
            String actualMd5 = fetch(partial, listener);
            if (!actualMd5.equals(md5)) {
                throw new DataUnavailableException("The file downloaded from " + source + " has MD5 " + actualMd5
                        + " but must have " + md5 + "; it was deleted. Try again, or fetch it yourself and point "
                        + "the data location (or " + ENV + "=PATH) at it.");
            }
            Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(partial);
        }
        listener.finished(target);
        return target;
    }

    /**
     * Streams the body into {@code file}, reporting progress on this thread; returns the body's MD5 in hex. The
     * transfer runs asynchronously so that a connection that stops delivering (the blocking body stream has no read
     * timeout) is abandoned after {@link #stallTimeout} instead of hanging forever.
     */
    private String fetch(Path file, DownloadListener listener) throws IOException {
        HttpClient client = HttpClient.newBuilder()
                .connectTimeout(connectTimeout)
                .followRedirects(HttpClient.Redirect.NORMAL)
                .build();
        HttpRequest request = HttpRequest.newBuilder(source).timeout(stallTimeout).GET().build();
        CompletableFuture<HttpResponse.ResponseInfo> headers = new CompletableFuture<>();
        try (FileChannel out = FileChannel.open(file, StandardOpenOption.WRITE)) {
            FileBody body = new FileBody(out);
            CompletableFuture<HttpResponse<String>> transfer = client.sendAsync(request, info -> {
                headers.complete(info);
                return info.statusCode() == 200 ? body : HttpResponse.BodySubscribers.replacing(null);
            });
            long total = -1;
            boolean started = false;
            long reported = -1;
            long lastChange = System.nanoTime();
            while (true) {
                try {
                    transfer.get(PROGRESS_INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
                    break;
                } catch (TimeoutException stillRunning) {
                    // report progress below, then wait again
                } catch (ExecutionException e) {
                    throw failed(e.getCause(), started, body.received());
                } catch (InterruptedException e) {
                    transfer.cancel(true);
                    Thread.currentThread().interrupt();
                    throw new InterruptedIOException("download of " + source + " interrupted");
                }
                if (!started && headers.isDone() && headers.join().statusCode() == 200) {
                    total = headers.join().headers().firstValueAsLong("Content-Length").orElse(-1);
                    listener.started(source, total);
                    started = true;
                }
                long received = body.received();
                if (received != reported) {
                    if (started) {
                        listener.progressed(received);
                    }
                    reported = received;
                    lastChange = System.nanoTime();
                } else if (System.nanoTime() - lastChange > stallTimeout.toNanos()) {
                    transfer.cancel(true);
                    throw unavailable("no data arrived for " + stallTimeout.toSeconds() + " s after " + received
                            + " bytes", null);
                }
            }
            HttpResponse.ResponseInfo info = headers.join();
            if (info.statusCode() != 200) {
                throw unavailable("the server answered HTTP " + info.statusCode(), null);
            }
            if (!started) {
                total = info.headers().firstValueAsLong("Content-Length").orElse(-1);
                listener.started(source, total);
            }
            long received = body.received();
            listener.progressed(received);
            if (total >= 0 && received != total) {
                throw unavailable("the server announced " + total + " bytes but sent " + received, null);
            }
            return body.md5();
        }
    }

    private DataUnavailableException failed(Throwable cause, boolean started, long received) {
        if (cause instanceof ConnectException || cause instanceof HttpConnectTimeoutException) {
            return unavailable("cannot connect (" + describe(cause) + ")", cause);
        }
        if (started || received > 0) {
            return unavailable("the transfer broke off after " + received + " bytes (" + describe(cause) + ")",
                    cause);
        }
        return unavailable("the request failed (" + describe(cause) + ")", cause);
    }

    /** Writes the body to a file as it arrives, hashing it on the way; its result is the MD5 in hex. */
    private static final class FileBody implements HttpResponse.BodySubscriber<String> {
        private final FileChannel out;
        private final MessageDigest digest = md5Digest();
        private final AtomicLong received = new AtomicLong();
        private final CompletableFuture<String> md5 = new CompletableFuture<>();
        private Flow.Subscription subscription;

        FileBody(FileChannel out) {
            this.out = out;
        }

        long received() {
            return received.get();
        }

        String md5() {
            return md5.join();
        }

        @Override
        public CompletionStage<String> getBody() {
            return md5;
        }

        @Override
        public void onSubscribe(Flow.Subscription subscription) {
            this.subscription = subscription;
            subscription.request(1);
        }

        @Override
        public void onNext(List<ByteBuffer> buffers) {
            try {
                for (ByteBuffer buffer : buffers) {
                    int length = buffer.remaining();
                    digest.update(buffer.duplicate());
                    while (buffer.hasRemaining()) {
                        out.write(buffer);
                    }
                    received.addAndGet(length);
                }
                subscription.request(1);
            } catch (IOException e) {
                subscription.cancel();
                md5.completeExceptionally(e);
            }
        }

        @Override
        public void onError(Throwable failure) {
            md5.completeExceptionally(failure);
        }

        @Override
        public void onComplete() {
            md5.complete(HexFormat.of().formatHex(digest.digest()));
        }
    }

    private DataUnavailableException unavailable(String problem, Throwable cause) {
        return new DataUnavailableException("Cannot download CIFAR-10 from " + source + ": " + problem + ". "
                + "Without a network, point at a local copy of " + CACHE_FILE + " (or its unpacked "
                + Split.FOLDER + "/ folder) with the data location or " + ENV + "=PATH, or place the file at "
                + cacheFile() + ".", cause);
    }

    private static String describe(Throwable e) {
        String message = e.getMessage();
        if ((message == null || message.isBlank()) && e.getCause() != null) {
            message = e.getCause().toString();
        }
        return e.getClass().getSimpleName() + (message == null ? "" : ": " + message);
    }

    private static MessageDigest md5Digest() {
        try {
            return MessageDigest.getInstance("MD5");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform must provide MD5", e);
        }
    }
}
