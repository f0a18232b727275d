package elbo.models.data;

import java.net.URI;
import java.util.List;
import java.util.stream.Stream;

/**
 * Every file ELBO reads, with its published SHA-256 and size. The checksums are copied from the SHA256SUMS
 * files of the shared data folder; the MNIST ones are also those published with the data set. A file is used
 * only if it hashes to exactly these bytes, so the readers never see a file that differs from the original.
 */
final class Registry {
    static final List<URI> MNIST_OFFICIAL = uris(
            "https://ossci-datasets.s3.amazonaws.com/mnist/",
            "https://storage.googleapis.com/cvdf-datasets/mnist/",
            "http://yann.lecun.com/exdb/mnist/");
    static final List<URI> FASHION_MNIST_OFFICIAL = uris(
            "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/");
    static final List<URI> BINARIZED_MNIST_OFFICIAL = uris(
            "http://www.cs.toronto.edu/~larocheh/public/datasets/binarized_mnist/");

    /** The four IDX files of MNIST or Fashion-MNIST. */
    record IdxFiles(DataFile trainImages, DataFile trainLabels, DataFile testImages, DataFile testLabels) {
        List<DataFile> all() {
            return List.of(trainImages, trainLabels, testImages, testLabels);
        }
    }

    /**
     * One split of binarized MNIST: the same lines stored gzip-compressed (what mirrors in the data directory
     * layout hold, tried first) or plain (what the official server hosts).
     */
    record AmatFile(DataFile compressed, DataFile plain, int rows) {
        List<DataFile> variants() {
            return List.of(compressed, plain);
        }
    }

    static final IdxFiles MNIST = new IdxFiles(
            mnist("train-images-idx3-ubyte.gz", "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609",
                    9912422),
            mnist("train-labels-idx1-ubyte.gz", "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c",
                    28881),
            mnist("t10k-images-idx3-ubyte.gz", "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6",
                    1648877),
            mnist("t10k-labels-idx1-ubyte.gz", "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6",
                    4542));

    static final IdxFiles FASHION_MNIST = new IdxFiles(
            fashion("train-images-idx3-ubyte.gz", "3aede38d61863908ad78613f6a32ed271626dd12800ba2636569512369268a84",
                    26421880),
            fashion("train-labels-idx1-ubyte.gz", "a04f17134ac03560a47e3764e11b92fc97de4d1bfaf8ba1a3aa29af54cc90845",
                    29515),
            fashion("t10k-images-idx3-ubyte.gz", "346e55b948d973a97e58d2351dde16a484bd415d4595297633bb08f03db6a073",
                    4422102),
            fashion("t10k-labels-idx1-ubyte.gz", "67da17c76eaffca5446c3361aaab5c3cd6d1c2608764d35dfb1850b086bf8dd5",
                    5148));

    static final AmatFile BINARIZED_TRAIN = binarized("train", 50_000,
            "af247bd6075cf9adc4715459dcd5f13eaa99a2c92d8d81379a05da94770b6c0e", 2196952,
            "ad693b29f94c14277b095f5238ddefbbdaaae0939789dd2f4f0205278cee3e4d", 78400000);
    static final AmatFile BINARIZED_VALID = binarized("valid", 10_000,
            "533b71bc0198f4d73c54ae5fe6c96fc08dc3cf1b3fae24c5521dbc0452507e38", 439620,
            "1de3d397c40fe8eeb33dafd4099a1f665ec01e96d9be234aaeeac8a34930e2e2", 15680000);
    static final AmatFile BINARIZED_TEST = binarized("test", 10_000,
            "32a3c54d03504632bf9f131b4a148c7567aa6fc87da017049b044bdc14c2a0f2", 416802,
            "e6687bfea3f820c174f33b7865140b2a2dd2930ef786f35d45795fc193b5ab2c", 15680000);

    /** The embedded digits: the same bytes as {@code digits/digits.csv.gz} of the data directory layout. */
    static final DataFile DIGITS = new DataFile("digits", "digits.csv.gz",
            "46abec6b12486ad9e51943373abcf22bbea1b5a51a1619b361570d8893f1464a", 57512, List.of());

    private Registry() {
    }

    /**
     * The IDX files of {@code set}.
     *
     * @throws IllegalArgumentException if {@code set} is not mnist or fashion-mnist
     */
    static IdxFiles idx(String set) {
        return switch (set) {
            case "mnist" -> MNIST;
            case "fashion-mnist" -> FASHION_MNIST;
            default -> throw new IllegalArgumentException("no IDX files for data set '" + set + "'");
        };
    }

    /** Every registered file, for tests and listings. */
    static List<DataFile> all() {
        return Stream.of(MNIST.all(), FASHION_MNIST.all(), BINARIZED_TRAIN.variants(), BINARIZED_VALID.variants(),
                BINARIZED_TEST.variants(), List.of(DIGITS)).flatMap(List::stream).toList();
    }

    private static DataFile mnist(String name, String sha256, long size) {
        return new DataFile("mnist", name, sha256, size, MNIST_OFFICIAL);
    }

    private static DataFile fashion(String name, String sha256, long size) {
        return new DataFile("fashion-mnist", name, sha256, size, FASHION_MNIST_OFFICIAL);
    }

    private static AmatFile binarized(String split, int rows, String gzipSha256, long gzipSize, String plainSha256,
            long plainSize) {
        String name = "binarized_mnist_" + split + ".amat";
        return new AmatFile(
                new DataFile("binarized-mnist", name + ".gz", gzipSha256, gzipSize, List.of()),
                new DataFile("binarized-mnist", name, plainSha256, plainSize, BINARIZED_MNIST_OFFICIAL),
                rows);
    }

    private static List<URI> uris(String... bases) {
        return Stream.of(bases).map(URI::create).toList();
    }
}
