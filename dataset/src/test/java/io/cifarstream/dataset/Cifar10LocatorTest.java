package io.cifarstream.dataset;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Where CIFAR-10 is found, and its download, against a local HTTP server serving a small real archive (the real
 * batches.meta.txt and test_batch.bin in the official layout), so no test needs the internet.
 */
class Cifar10LocatorTest {
    @TempDir
    static Path shared;
    private static byte[] smallArchive;
    private static String smallArchiveMd5;

    @TempDir
    Path dir;
    private HttpServer server;
    private final AtomicInteger requests = new AtomicInteger();
    private Path cacheHome;

    @BeforeAll
    static void makeSmallRealArchive() throws IOException {
        SharedCifarCopy.unpack(SharedCifarCopy.archive(), shared);
        Path archive = shared.resolve("small.tar.gz");
        try (OutputStream gzip = new GZIPOutputStream(Files.newOutputStream(archive), 1 << 16) {
            {
                def.setLevel(Deflater.BEST_SPEED);
            }
        };
             TarArchiveOutputStream tar = new TarArchiveOutputStream(gzip)) {
            for (String name : List.of("batches.meta.txt", "test_batch.bin")) {
                byte[] content = Files.readAllBytes(shared.resolve("cifar-10-batches-bin").resolve(name));
                TarArchiveEntry entry = new TarArchiveEntry("cifar-10-batches-bin/" + name);
                entry.setSize(content.length);
                tar.putArchiveEntry(entry);
                tar.write(content);
                tar.closeArchiveEntry();
            }
        }
        smallArchive = Files.readAllBytes(archive);
        smallArchiveMd5 = SharedCifarCopy.md5(smallArchive);
    }

    @BeforeEach
    void startServer() throws IOException {
        cacheHome = dir.resolve("cache");
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/cifar-10-binary.tar.gz", exchange -> {
            requests.incrementAndGet();
            exchange.sendResponseHeaders(200, smallArchive.length);
            try (OutputStream body = exchange.getResponseBody()) {
                body.write(smallArchive);
            }
        });
        server.start();
    }

    @AfterEach
    void stopServer() {
        server.stop(0);
    }

    @Test
    void downloadsVerifiesAndMovesTheFileIntoTheCache() throws IOException {
        Cifar10Locator locator = locator("/cifar-10-binary.tar.gz", smallArchiveMd5);
        RecordedProgress progress = new RecordedProgress();

        Path located = locator.locate(Optional.empty(), progress);

        assertThat(located).isEqualTo(cacheHome.resolve("cifar-stream/cifar-10-binary.tar.gz"));
        assertThat(Files.readAllBytes(located)).isEqualTo(smallArchive);
        assertThat(filesIn(located.getParent())).containsExactly(located);
        assertThat(progress.events.get(0)).isEqualTo("started " + url("/cifar-10-binary.tar.gz") + " "
                + smallArchive.length);
        assertThat(progress.bytes).isSorted().last().isEqualTo((long) smallArchive.length);
        assertThat(progress.events.get(progress.events.size() - 1)).isEqualTo("finished " + located);
        assertThat(Cifar10.open(located).test().size()).isEqualTo(10_000);
    }

    @Test
    void cachedFileIsUsedWithoutDownloadingAgain() throws IOException {
        Cifar10Locator locator = locator("/cifar-10-binary.tar.gz", smallArchiveMd5);
        Path first = locator.locate(Optional.empty(), DownloadListener.none());

        Path second = locator.locate(Optional.empty(), DownloadListener.none());

        assertThat(second).isEqualTo(first);
        assertThat(requests).hasValue(1);
    }

    @Test
    void checksumMismatchIsRejectedAndLeavesNothingBehind() {
        String expected = "00112233445566778899aabbccddeeff";
        Cifar10Locator locator = locator("/cifar-10-binary.tar.gz", expected);

        assertThatThrownBy(() -> locator.locate(Optional.empty(), DownloadListener.none()))
                .isInstanceOf(DataUnavailableException.class)
                .hasMessage("The file downloaded from " + url("/cifar-10-binary.tar.gz") + " has MD5 "
                        + smallArchiveMd5 + " but must have " + expected + "; it was deleted. Try again, or fetch it"
                        + " yourself and point the data location (or CIFAR10_DATA=PATH) at it.");
        assertThat(filesIn(cacheHome.resolve("cifar-stream"))).isEmpty();
    }

    @Test
    void transferThatBreaksOffLeavesNothingBehind() throws IOException {
        try (HalfSender halfSender = new HalfSender(false)) {
            Cifar10Locator locator = locator(halfSender.url(), smallArchiveMd5);

            assertThatThrownBy(() -> locator.locate(Optional.empty(), DownloadListener.none()))
                    .isInstanceOf(DataUnavailableException.class)
                    .hasMessageStartingWith("Cannot download CIFAR-10 from " + halfSender.url()
                            + ": the transfer broke off after ");
        }
        assertThat(filesIn(cacheHome.resolve("cifar-stream"))).isEmpty();
    }

    @Test
    void transferThatStallsIsAbandonedAndLeavesNothingBehind() throws IOException {
        try (HalfSender halfSender = new HalfSender(true)) {
            Cifar10Locator locator = new Cifar10Locator(halfSender.url(), smallArchiveMd5,
                    Map.of("XDG_CACHE_HOME", cacheHome.toString()), dir.resolve("home"), Duration.ofSeconds(2),
                    Duration.ofSeconds(1));

            assertThatThrownBy(() -> locator.locate(Optional.empty(), DownloadListener.none()))
                    .isInstanceOf(DataUnavailableException.class)
                    .hasMessageStartingWith("Cannot download CIFAR-10 from " + halfSender.url()
                            + ": no data arrived for 1 s after " + smallArchive.length / 2 + " bytes.");
        }
        assertThat(filesIn(cacheHome.resolve("cifar-stream"))).isEmpty();
    }

    @Test
    void missingFileOnTheServerIsReported() {
        Cifar10Locator locator = locator("/no-such-file.tar.gz", smallArchiveMd5);

        assertThatThrownBy(() -> locator.locate(Optional.empty(), DownloadListener.none()))
                .isInstanceOf(DataUnavailableException.class)
                .hasMessageStartingWith("Cannot download CIFAR-10 from " + url("/no-such-file.tar.gz")
                        + ": the server answered HTTP 404.");
    }

    @Test
    void refusedConnectionFailsAtOnceSayingHowToPointAtALocalCopy() throws IOException {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort();
        }
        URI nowhere = URI.create("http://127.0.0.1:" + closedPort + "/cifar-10-binary.tar.gz");
        Cifar10Locator locator = new Cifar10Locator(nowhere, smallArchiveMd5,
                Map.of("XDG_CACHE_HOME", cacheHome.toString()), dir.resolve("home"));

        long start = System.nanoTime();
        assertThatThrownBy(() -> locator.locate(Optional.empty(), DownloadListener.none()))
                .isInstanceOf(DataUnavailableException.class)
                .hasMessageStartingWith("Cannot download CIFAR-10 from " + nowhere + ": cannot connect (")
                .hasMessageEndingWith("Without a network, point at a local copy of cifar-10-binary.tar.gz (or its "
                        + "unpacked cifar-10-batches-bin/ folder) with the data location or CIFAR10_DATA=PATH, or place "
                        + "the file at " + cacheHome.resolve("cifar-stream/cifar-10-binary.tar.gz") + ".");
        System.out.printf("[Cifar10LocatorTest] refused connection reported after %d ms%n",
                (System.nanoTime() - start) / 1_000_000);
        assertThat(filesIn(cacheHome.resolve("cifar-stream"))).isEmpty();
    }

    @Test
    void explicitPathComesFirstAndMustExist() throws IOException {
        Path given = Files.createDirectory(dir.resolve("given"));
        Cifar10Locator locator = new Cifar10Locator(url("/cifar-10-binary.tar.gz"), smallArchiveMd5,
                Map.of(Cifar10Locator.ENV, shared.toString()), dir.resolve("home"));

        assertThat(locator.locate(Optional.of(given), DownloadListener.none())).isEqualTo(given);
        Path missing = dir.resolve("missing");
        assertThatThrownBy(() -> locator.locate(Optional.of(missing), DownloadListener.none()))
                .isInstanceOf(DataUnavailableException.class)
                .hasMessage(missing + " does not exist. Give the path of cifar-10-binary.tar.gz or of "
                        + "its unpacked cifar-10-batches-bin/ folder.");
        assertThat(requests).hasValue(0);
    }

    @Test
    void environmentVariableComesNextAndMustExist() throws IOException {
        Path home = dir.resolve("home");
        Cifar10Locator fromEnvironment = new Cifar10Locator(url("/cifar-10-binary.tar.gz"), smallArchiveMd5,
                Map.of(Cifar10Locator.ENV, shared.toString()), home);
        assertThat(fromEnvironment.locate(Optional.empty(), DownloadListener.none())).isEqualTo(shared);

        Path missing = dir.resolve("missing");
        Cifar10Locator wrongEnvironment = new Cifar10Locator(url("/cifar-10-binary.tar.gz"), smallArchiveMd5,
                Map.of(Cifar10Locator.ENV, missing.toString()), home);
        assertThatThrownBy(() -> wrongEnvironment.locate(Optional.empty(), DownloadListener.none()))
                .isInstanceOf(DataUnavailableException.class)
                .hasMessage("CIFAR10_DATA=" + missing + " does not exist. Set it to the path of "
                        + "cifar-10-binary.tar.gz or of its unpacked cifar-10-batches-bin/ folder, or unset it to use "
                        + home.resolve(".cache/cifar-stream/cifar-10-binary.tar.gz") + ".");
        assertThat(requests).hasValue(0);
    }

    @Test
    void cacheLivesUnderXdgCacheHomeOrElseTheHomeFolder() {
        Path home = dir.resolve("home");
        URI source = url("/cifar-10-binary.tar.gz");

        assertThat(new Cifar10Locator(source, smallArchiveMd5, Map.of("XDG_CACHE_HOME", "/var/cache/me"), home)
                .cacheFile()).isEqualTo(Path.of("/var/cache/me/cifar-stream/cifar-10-binary.tar.gz"));
        assertThat(new Cifar10Locator(source, smallArchiveMd5, Map.of(), home).cacheFile())
                .isEqualTo(home.resolve(".cache/cifar-stream/cifar-10-binary.tar.gz"));
        // The XDG specification says a relative value is invalid and must be ignored.
        assertThat(new Cifar10Locator(source, smallArchiveMd5, Map.of("XDG_CACHE_HOME", "relative"), home)
                .cacheFile()).isEqualTo(home.resolve(".cache/cifar-stream/cifar-10-binary.tar.gz"));
    }

    @Test
    void defaultsAreTheOfficialFile() {
        assertThat(Cifar10Locator.OFFICIAL_URL)
                .hasToString("https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz");
        assertThat(Cifar10Locator.OFFICIAL_MD5).isEqualTo("c32a1d4ab5d03f1284b67883e8d87530");
        assertThatThrownBy(() -> new Cifar10Locator(Cifar10Locator.OFFICIAL_URL, "c32a1d4a"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("md5 must be 32 hex digits: c32a1d4a");
    }

    private Cifar10Locator locator(String path, String md5) {
        return locator(url(path), md5);
    }

    private Cifar10Locator locator(URI source, String md5) {
        return new Cifar10Locator(source, md5, Map.of("XDG_CACHE_HOME", cacheHome.toString()),
                dir.resolve("home"));
    }

    private URI url(String path) {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + path);
    }

    private static List<Path> filesIn(Path folder) {
        if (!Files.isDirectory(folder)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(folder)) {
            return files.toList();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    /**
     * A one-connection HTTP server that announces the whole small archive but sends only its first half, then
     * either hangs up (the connection breaks) or keeps the connection open without sending more (it stalls).
     */
    private static final class HalfSender implements AutoCloseable {
        private final ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        private final Thread thread;

        HalfSender(boolean stall) throws IOException {
            thread = new Thread(() -> {
                try (Socket connection = socket.accept()) {
                    BufferedReader request = new BufferedReader(new InputStreamReader(connection.getInputStream(),
                            StandardCharsets.US_ASCII));
                    while (!request.readLine().isEmpty()) {
                        // skip the request line and headers
                    }
                    OutputStream out = connection.getOutputStream();
                    out.write(("HTTP/1.1 200 OK\r\nContent-Length: " + smallArchive.length + "\r\n\r\n")
                            .getBytes(StandardCharsets.US_ASCII));
                    out.write(smallArchive, 0, smallArchive.length / 2);
                    out.flush();
                    if (stall) {
                        Thread.sleep(Long.MAX_VALUE);
                    }
                } catch (IOException | InterruptedException ended) {
                    // the test is over
                }
            }, "half-sender");
            thread.start();
        }

        URI url() {
            return URI.create("http://127.0.0.1:" + socket.getLocalPort() + "/cifar-10-binary.tar.gz");
        }

        @Override
        public void close() throws IOException {
            thread.interrupt();
            socket.close();
            try {
                thread.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Records what the locator reports, in order. */
    private static final class RecordedProgress implements DownloadListener {
        final List<String> events = new ArrayList<>();
        final List<Long> bytes = new ArrayList<>();

        @Override
        public void started(URI from, long totalBytes) {
            events.add("started " + from + " " + totalBytes);
        }

        @Override
        public void progressed(long bytesSoFar) {
            events.add("progressed " + bytesSoFar);
            bytes.add(bytesSoFar);
        }

        @Override
        public void finished(Path to) {
            events.add("finished " + to);
        }
    }
}
