package elbo.core;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The README's example runs here, and the README's {@code java} block under "## Example" must appear in
 * this file verbatim (modulo indentation), so neither can drift from the other.
 */
class ReadmeExampleTest {

    @Test
    void theReadmeExampleComputesTheClosedFormGradients() {
        // ---- begin README example (README.md, "## Example": keep identical) ----
        // A least-squares loss for a linear model; every class is in package elbo.core.
        Tensor x = Tensor.of(new double[] {1, 2, 3, 4, 5, 6}, 3, 2);        // 3 examples, 2 features
        Tensor y = Tensor.of(new double[] {1, 0, 2}, 3, 1);                 // targets
        Tensor w = Tensor.zeros(DType.FLOAT64, 2, 1).requiresGrad(true);    // parameters: leaves
        Tensor b = Tensor.zeros(DType.FLOAT64, 1).requiresGrad(true);       // broadcast over the rows

        Tensor loss = x.matmul(w).add(b).sub(y).square().mean();            // runs and records the graph
        loss.backward();                                                    // reverse mode from the scalar

        double value = loss.item();                // (1 + 0 + 4) / 3 = 5/3
        double[] dw = w.grad().toDoubleArray();    // 2/3 · xᵀ(xw + b - y) = [-22/3, -28/3]
        double[] db = b.grad().toDoubleArray();    // 2/3 · Σ(xw + b - y)  = [-2]
        // ---- end README example ----

        // With w = 0 and b = 0 the residual is r = -y = [-1, 0, -2]; d loss / d r = 2 r / 3.
        assertEquals(5.0 / 3, value, 1e-15);
        assertArrayEquals(new double[] {-22.0 / 3, -28.0 / 3}, dw, 1e-12);
        assertArrayEquals(new double[] {-2}, db, 1e-12);
    }

    @Test
    void theReadmeShowsExactlyTheCodeThatThisTestRuns() throws IOException {
        List<String> readmeBlock = normalise(javaBlockUnderExample(Files.readAllLines(find("README.md"),
                StandardCharsets.UTF_8)));
        assertFalse(readmeBlock.isEmpty(), "README.md: the java block under '## Example' is empty");
        List<String> source = normalise(Files.readAllLines(
                find("src/test/java/elbo/core/ReadmeExampleTest.java", "core/src/test/java/elbo/core/ReadmeExampleTest.java"),
                StandardCharsets.UTF_8));
        int at = indexOf(source, readmeBlock);
        if (at < 0) {
            fail("README.md's example is not in ReadmeExampleTest.java verbatim (modulo indentation); "
                    + "update one to match the other. README block:\n" + String.join("\n", readmeBlock));
        }
        assertTrue(source.get(at - 1).contains("begin README example") && source.get(at + readmeBlock.size())
                .contains("end README example"), "the README block must be the whole marked region of the test");
    }

    /** The lines of the first {@code ```java} block after the {@code ## Example} heading. */
    private static List<String> javaBlockUnderExample(List<String> readme) {
        int i = 0;
        while (i < readme.size() && !readme.get(i).trim().equals("## Example")) {
            i++;
        }
        assertTrue(i < readme.size(), "README.md has no '## Example' heading");
        while (i < readme.size() && !readme.get(i).trim().equals("```java")) {
            i++;
        }
        assertTrue(i < readme.size(), "README.md has no ```java block under '## Example'");
        List<String> block = new ArrayList<>();
        for (i++; i < readme.size() && !readme.get(i).trim().equals("```"); i++) {
            block.add(readme.get(i));
        }
        assertTrue(i < readme.size(), "README.md: the ```java block under '## Example' is not closed");
        return block;
    }

    /** Lines without indentation or trailing blanks; blank lines dropped. */
    private static List<String> normalise(List<String> lines) {
        List<String> out = new ArrayList<>();
        for (String l : lines) {
            if (!l.isBlank()) {
                out.add(l.strip());
            }
        }
        return out;
    }

    private static int indexOf(List<String> haystack, List<String> needle) {
        for (int i = 0; i + needle.size() <= haystack.size(); i++) {
            if (haystack.subList(i, i + needle.size()).equals(needle)) {
                return i;
            }
        }
        return -1;
    }

    /** The first of {@code relatives} found in the working directory or one of its parents. */
    private static Path find(String... relatives) {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            for (String r : relatives) {
                Path p = dir.resolve(r);
                if (Files.isRegularFile(p)) {
                    return p;
                }
            }
        }
        fail("not found from " + Path.of("").toAbsolutePath() + " or its parents: " + String.join(", ", relatives));
        return null;
    }

    @Test
    void findLocatesThisModulesSources() {
        assertNotNull(find("src/test/java/elbo/core/ReadmeExampleTest.java", "core/src/test/java/elbo/core/ReadmeExampleTest.java"));
    }
}
