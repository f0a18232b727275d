package elbo.models.data;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Downloads from a loopback HTTP server (never the network): mirrors, redirects, failures, cleanup. */
class DataDownloadTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    @TempDir
    Path dir;

    private HttpServer server;
    private ExecutorService executor;
    private final List<String> requests = new CopyOnWriteArrayList<>();
    private final ByteArrayOutputStream progressBytes = new ByteArrayOutputStream();
    private final PrintStream progress = new PrintStream(progressBytes, true, StandardCharsets.UTF_8);

    @AfterEach
    void stopServer() {
        if (server != null) {
            server.stop(0);
            executor.shutdownNow();
        }
    }

    private static Path sharedData() {
        var data = DataTestFiles.sharedData();
        assumeTrue(data.isPresent(), "shared data folder not found (set ELBO_DATA or put it at ../shared/data)");
        return data.get();
    }

    /** Starts a server on 127.0.0.1, any free port; every request path is recorded. */
    private void serve(HttpHandler handler) throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        executor = Executors.newCachedThreadPool();
        server.setExecutor(executor);
        server.createContext("/", exchange -> {
            requests.add(exchange.getRequestURI().getPath());
            try (exchange) {
                handler.handle(exchange);
            }
        });
        server.start();
    }

    private URI url(String path) {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + path);
    }

    /** Serves {@code root} under /data/, redirects /redirect/X to /data/X, answers 404 to everything else. */
    private HttpHandler files(Path root, String corruptName) {
        return exchange -> {
            String path = exchange.getRequestURI().getPath();
            if (path.startsWith("/redirect/")) {
                exchange.getResponseHeaders().add("Location", "/data/" + path.substring("/redirect/".length()));
                exchange.sendResponseHeaders(302, -1);
                return;
            }
            Path file = path.startsWith("/data/") ? root.resolve(path.substring("/data/".length())).normalize() : null;
            if (file == null || !file.startsWith(root) || !Files.isRegularFile(file)) {
                exchange.sendResponseHeaders(404, -1);
                return;
            }
            byte[] body = Files.readAllBytes(file);
            if (file.getFileName().toString().equals(corruptName)) {
                body[body.length / 2] ^= (byte) 0xFF;
            }
            send(exchange, body);
        };
    }

    private static void send(HttpExchange exchange, byte[] body) throws IOException {
        exchange.sendResponseHeaders(200, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    private Download mirrors(URI... mirrors) {
        return new Download(List.of(mirrors), false, TIMEOUT, progress);
    }

    private String progressText() {
        return progressBytes.toString(StandardCharsets.UTF_8);
    }

    private static List<Path> contents(Path folder) throws IOException {
        try (Stream<Path> files = Files.walk(folder)) {
            return files.filter(p -> !p.equals(folder)).sorted().toList();
        }
    }

    @Test
    void downloadsMnistIntoAnEmptyDataDirectoryAndLoadsIt() throws IOException {
        Path shared = sharedData();
        serve(files(shared, null));
        Path data = dir.resolve("data"); // does not exist yet
        Dataset d = DataSets.load("mnist", data, 10_000, mirrors(url("/data/")));
        assertEquals(50_000, d.train().count());
        assertEquals(10_000, d.test().count());
        assertEquals(5, d.train().label(0));
        assertEquals(List.of(data.resolve("mnist"), data.resolve("mnist/t10k-images-idx3-ubyte.gz"),
                data.resolve("mnist/t10k-labels-idx1-ubyte.gz"), data.resolve("mnist/train-images-idx3-ubyte.gz"),
                data.resolve("mnist/train-labels-idx1-ubyte.gz")), contents(data), "the four files, nothing else");
        List<String> lines = progressText().lines().toList();
        assertEquals(4, lines.size(), progressText());
        assertEquals("downloading mnist/train-images-idx3-ubyte.gz from " + url("/data/mnist/train-images-idx3-ubyte.gz")
                + " ... 9.9 MB", lines.get(0));
        // Now in place: loading again needs no server.
        server.stop(0);
        assertEquals(50_000, DataSets.load("mnist", data, 10_000, Download.none()).train().count());
    }

    @Test
    void mirrorsAreTriedInOrderAndRedirectsFollowed() throws IOException {
        serve(files(sharedData(), null));
        DataFile labels = Registry.MNIST.testLabels();
        Path got = DataSets.obtain(List.of(labels), dir, mirrors(url("/missing/"), url("/redirect/")));
        assertEquals(dir.resolve("mnist/t10k-labels-idx1-ubyte.gz"), got);
        assertEquals(labels.sha256(), Sha256.of(got));
        assertEquals(List.of("/missing/mnist/t10k-labels-idx1-ubyte.gz", "/redirect/mnist/t10k-labels-idx1-ubyte.gz",
                "/data/mnist/t10k-labels-idx1-ubyte.gz"), requests);
        List<String> lines = progressText().lines().toList();
        assertTrue(lines.get(0).endsWith("... failed: HTTP 404 Not Found"), lines.get(0));
        assertTrue(lines.get(1).endsWith("... 0.0 MB"), lines.get(1));
    }

    @Test
    void fileMirrorsWork() throws IOException {
        Path got = DataSets.obtain(List.of(Registry.MNIST.testLabels()), dir,
                new Download(List.of(sharedData().toUri()), false, TIMEOUT, null));
        assertEquals(Registry.MNIST.testLabels().sha256(), Sha256.of(got));
    }

    @Test
    void aCorruptedDownloadIsRefusedAndLeavesNothingBehind() throws IOException {
        // Real bytes with one flipped when the shared data is present, else zeros of the right length:
        // either way the size is right and only the checksum can tell.
        Path root = dir.resolve("served");
        Path shared = DataTestFiles.sharedData().orElse(null);
        DataFile images = Registry.MNIST.trainImages();
        byte[] body = shared != null ? Files.readAllBytes(images.in(shared)) : new byte[(int) images.size()];
        DataTestFiles.write(root, images.relativePath(), body);
        serve(files(root, images.name()));
        Path data = dir.resolve("data");
        DataUnavailableException e = assertThrows(DataUnavailableException.class,
                () -> DataSets.load("mnist", data, 10_000, mirrors(url("/data/"))));
        assertTrue(e.checksumFailed(), e.getMessage());
        assertTrue(e.getMessage().contains("checksum mismatch: SHA-256 of the 9912422 bytes received is "), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
        assertFalse(Files.exists(data), "no file, no temporary file, no folder left: " + (Files.exists(data)
                ? contents(data) : ""));
        assertTrue(progressText().contains("failed: checksum mismatch"), progressText());
    }

    @Test
    void aCorruptedDownloadLeavesEarlierGoodFilesAndNoTemporaryFile() throws IOException {
        serve(files(sharedData(), "t10k-labels-idx1-ubyte.gz"));
        Path data = dir.resolve("data");
        assertThrows(DataUnavailableException.class,
                () -> DataSets.load("mnist", data, 10_000, mirrors(url("/data/"))));
        assertEquals(List.of(data.resolve("mnist"), data.resolve("mnist/t10k-images-idx3-ubyte.gz"),
                data.resolve("mnist/train-images-idx3-ubyte.gz"), data.resolve("mnist/train-labels-idx1-ubyte.gz")),
                contents(data), "the three verified files stay; nothing of the corrupted one");
    }

    @Test
    void anUnreachableMirrorIsUnavailableInOneLineNamingTheDirectory() throws IOException {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort();
        }
        Path data = dir.resolve("data");
        URI mirror = URI.create("http://127.0.0.1:" + closedPort + "/elbo");
        DataUnavailableException e = assertThrows(DataUnavailableException.class,
                () -> DataSets.load("fashion-mnist", data, 10_000, mirrors(mirror)));
        String message = e.getMessage();
        assertFalse(message.contains("\n") || message.contains("\r"), message);
        assertTrue(message.contains("data directory now: " + data.toAbsolutePath()), message);
        assertTrue(message.contains("fashion-mnist/train-images-idx3-ubyte.gz is missing"), message);
        assertTrue(message.contains("http://127.0.0.1:" + closedPort + "/elbo/fashion-mnist/train-images-idx3-ubyte.gz "
                + "(cannot connect"), message);
        assertTrue(message.contains("--data-dir or ELBO_DATA"), message);
        assertFalse(e.checksumFailed());
        assertFalse(Files.exists(data), "the folders created for the attempt are removed");
    }

    @Test
    void binarizedMnistTriesTheCompressedNameFirst() throws IOException {
        serve(exchange -> exchange.sendResponseHeaders(404, -1));
        DataUnavailableException e = assertThrows(DataUnavailableException.class,
                () -> DataSets.load("binarized-mnist", dir, 0, mirrors(url("/a/"), url("/b"))));
        assertEquals(List.of("/a/binarized-mnist/binarized_mnist_train.amat.gz",
                "/a/binarized-mnist/binarized_mnist_train.amat",
                "/b/binarized-mnist/binarized_mnist_train.amat.gz",
                "/b/binarized-mnist/binarized_mnist_train.amat"), requests);
        assertEquals(4, e.failures().size());
        assertTrue(e.failures().get(0).endsWith("(HTTP 404 Not Found)"), e.failures().get(0));
        assertEquals(List.of(), contents(dir), "the folder created for the attempt is removed");
    }

    @Test
    void aStalledServerTimesOut() throws IOException {
        serve(exchange -> {
            try {
                Thread.sleep(5_000);
            } catch (InterruptedException stopped) {
                Thread.currentThread().interrupt();
            }
        });
        long start = System.nanoTime();
        DataUnavailableException e = assertThrows(DataUnavailableException.class, () -> DataSets.obtain(
                List.of(Registry.MNIST.testLabels()), dir,
                new Download(List.of(url("/")), false, Duration.ofMillis(300), null)));
        assertTrue(e.getMessage().contains("(timed out after 300 ms)"), e.getMessage());
        assertTrue(System.nanoTime() - start < 4_000_000_000L, "gave up after the timeout, not the server's delay");
    }

    @Test
    void aServerSendingTooMuchIsCutOff() throws IOException {
        DataFile labels = Registry.MNIST.testLabels();
        serve(exchange -> {
            if (exchange.getRequestURI().getPath().startsWith("/announced/")) {
                send(exchange, new byte[(int) labels.size() + 1]);
                return;
            }
            exchange.sendResponseHeaders(200, 0); // chunked: no length announced
            try (OutputStream out = exchange.getResponseBody()) {
                for (int i = 0; i < 100; i++) {
                    out.write(new byte[1000]);
                }
            } catch (IOException clientHungUp) {
                // expected: the client stops reading after the published size
            }
        });
        DataUnavailableException e = assertThrows(DataUnavailableException.class, () -> DataSets.obtain(
                List.of(labels), dir, mirrors(url("/announced/"), url("/endless/"))));
        assertTrue(e.failures().get(0).endsWith("(the server announces 4543 bytes, the published file has 4542)"),
                e.failures().get(0));
        assertTrue(e.failures().get(1).endsWith("(more than the 4542 bytes of the published file)"),
                e.failures().get(1));
        assertEquals(List.of(), contents(dir));
    }

    @Test
    void downloadSettings() {
        Download d = new Download(List.of(URI.create("http://h/x"), URI.create("https://h/y/")), true, TIMEOUT, null);
        assertEquals(List.of(URI.create("http://h/x/"), URI.create("https://h/y/")), d.mirrors());
        assertEquals(List.of(URI.create("http://a/"), URI.create("file:///b")),
                Download.parseMirrors(" http://a/, file:///b "));
        assertEquals(List.of(), Download.parseMirrors(""));
        assertTrue(Download.officialOnly(null).official());
        assertTrue(Download.officialOnly(null).mirrors().isEmpty());
        assertFalse(Download.none().enabled());
        assertThrows(IllegalArgumentException.class, () -> new Download(List.of(URI.create("ftp://h/")), false,
                TIMEOUT, null));
        assertThrows(IllegalArgumentException.class, () -> new Download(List.of(), false, Duration.ZERO, null));
    }
}
