package io.cifarstream.dataset;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

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
    private static final Duration RESPONSE_TIMEOUT = Duration.ofSeconds(30);
    private static final long PROGRESS_STEP = 1 << 20;

    private final URI source;
    private final String md5;
    private final Map<String, String> environment;
    private final Path userHome;

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
                throw new DataUnavailableException("--data " + path + " does not exist. Give the path of "
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
                        + "--data PATH or " + ENV + "=PATH at it.");
            }
            Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(partial);
        }
        listener.finished(target);
        return target;
    }

    /** Streams the body into {@code file}; returns its MD5 in hex. */
    private String fetch(Path file, DownloadListener listener) throws IOException {
        HttpClient client = HttpClient.newBuilder()
                .connectTimeout(CONNECT_TIMEOUT)
                .followRedirects(HttpClient.Redirect.NORMAL)
                .build();
        HttpRequest request = HttpRequest.newBuilder(source).timeout(RESPONSE_TIMEOUT).GET().build();
        HttpResponse<InputStream> response;
        try {
            response = client.send(request, HttpResponse.BodyHandlers.ofInputStream());
        } catch (ConnectException | HttpConnectTimeoutException e) {
            throw unavailable("cannot connect (" + describe(e) + ")", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("download of " + source + " interrupted");
        } catch (IOException e) {
            throw unavailable("the request failed (" + describe(e) + ")", e);
        }
        try (InputStream body = response.body()) {
            if (response.statusCode() != 200) {
                throw unavailable("the server answered HTTP " + response.statusCode(), null);
            }
            long total = response.headers().firstValueAsLong("Content-Length").orElse(-1);
            listener.started(source, total);
            MessageDigest digest = md5Digest();
            byte[] buffer = new byte[1 << 16];
            long soFar = 0;
            long nextReport = PROGRESS_STEP;
            try (OutputStream out = Files.newOutputStream(file)) {
                int n;
                while ((n = body.read(buffer)) >= 0) {
                    out.write(buffer, 0, n);
                    digest.update(buffer, 0, n);
                    soFar += n;
                    if (soFar >= nextReport) {
                        listener.progressed(soFar);
                        nextReport = soFar + PROGRESS_STEP;
                    }
                }
            } catch (IOException e) {
                throw unavailable("the transfer broke off after " + soFar + " bytes (" + describe(e) + ")", e);
            }
            listener.progressed(soFar);
            if (total >= 0 && soFar != total) {
                throw unavailable("the server announced " + total + " bytes but sent " + soFar, null);
            }
            return HexFormat.of().formatHex(digest.digest());
        }
    }

    private DataUnavailableException unavailable(String problem, Throwable cause) {
        return new DataUnavailableException("Cannot download CIFAR-10 from " + source + ": " + problem + ". "
                + "Without a network, point at a local copy of " + CACHE_FILE + " (or its unpacked "
                + Split.FOLDER + "/ folder) with --data PATH or " + ENV + "=PATH, or place the file at "
                + cacheFile() + ".", cause);
    }

    private static String describe(IOException e) {
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
