package io.cifarstream.broker;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The ports one start of a broker or cluster listens on, claimed before the Kafka nodes bind them. A port asked for
 * must be free now; port 0 becomes a free port chosen <em>below the kernel's ephemeral range</em>
 * ({@code net.ipv4.ip_local_port_range}). A node binds its ports seconds after they are chosen, often in another
 * process, and meanwhile every outgoing connection on the machine takes a port from the ephemeral range: the nodes of
 * a cluster connect to each other's controllers while the last one starts, and such a connection landed on that
 * node's own client port. Below the range the kernel hands out no port by itself. Where the range leaves no room (or
 * is unknown), the kernel picks any free port instead.
 */
final class ListenPorts {

    static final Path EPHEMERAL_RANGE = Path.of("/proc/sys/net/ipv4/ip_local_port_range");
    /** The lowest port chosen below the ephemeral range: above the well-known and most registered services' ports. */
    static final int LOWEST = 10_000;
    private static final int ATTEMPTS = 200;

    private final String host;
    private final int low;
    private final int high;
    private final Set<Integer> claimed = new HashSet<>();

    /** Chooses ports in {@code [low, high)}; an empty range leaves the choice to the kernel. */
    ListenPorts(String host, int low, int high) {
        this.host = host;
        this.low = low;
        this.high = high;
    }

    /** Ports on {@code host}, chosen below this machine's ephemeral range. */
    static ListenPorts on(String host) {
        int ephemeralLow = ephemeralLow(EPHEMERAL_RANGE);
        return new ListenPorts(host, LOWEST, Math.max(LOWEST, ephemeralLow));
    }

    /** The first port of the ephemeral range in {@code file}, or {@link #LOWEST} (no room) where it cannot be read. */
    static int ephemeralLow(Path file) {
        try {
            // Files.readString stops after the first byte of a /proc file (its size reads 0); lines come whole.
            String[] bounds = Files.readAllLines(file, StandardCharsets.US_ASCII).get(0).trim().split("\\s+");
            return Integer.parseInt(bounds[0]);
        } catch (IOException | RuntimeException e) {
            return LOWEST;
        }
    }

    /**
     * {@code requested} when it is free now, else a {@link PortInUseException} naming it as {@code which}; 0 becomes a
     * free port this object has not given before.
     */
    int claim(int requested, String which) {
        int port = requested != 0 ? probe(requested, which) : choose();
        claimed.add(port);
        return port;
    }

    private int choose() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        for (int attempt = 0; attempt < ATTEMPTS && high - low > claimed.size(); attempt++) {
            int candidate = random.nextInt(low, high);
            if (!claimed.contains(candidate) && isFree(candidate)) {
                return candidate;
            }
        }
        while (true) {
            int port = probe(0, "a free port");
            if (!claimed.contains(port)) {
                return port;
            }
        }
    }

    private boolean isFree(int port) {
        try {
            probe(port, "");
            return true;
        } catch (PortInUseException e) {
            return false;
        }
    }

    private int probe(int port, String which) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.bind(new InetSocketAddress(InetAddress.getByName(host), port));
            return socket.getLocalPort();
        } catch (BindException e) {
            throw new PortInUseException(port, which);
        } catch (IOException e) {
            throw new UncheckedIOException("could not probe port " + port + " on " + host, e);
        }
    }
}
