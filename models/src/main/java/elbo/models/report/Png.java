package elbo.models.report;

import elbo.nn.io.AtomicFiles;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.zip.CRC32;
import java.util.zip.DeflaterOutputStream;

/**
 * A minimal PNG encoder (8-bit RGB, no interlace) so that pictures need no desktop module: signature,
 * IHDR, one zlib-compressed IDAT of filter-0 scanlines, IEND; each chunk with its CRC-32.
 */
public final class Png {
    private Png() {
    }

    /**
     * Writes {@code rgb} (row-major, {@code 0xRRGGBB} per pixel) as a PNG, atomically (temp file + rename).
     *
     * @throws IllegalArgumentException if the array does not hold width × height pixels
     * @throws IOException              if the file cannot be written
     */
    public static void write(Path file, int width, int height, int[] rgb) throws IOException {
        if (width <= 0 || height <= 0 || rgb.length != width * height) {
            throw new IllegalArgumentException("Png.write: " + rgb.length + " pixels for " + width + "x" + height);
        }
        ByteArrayOutputStream raw = new ByteArrayOutputStream();
        try (DeflaterOutputStream z = new DeflaterOutputStream(raw)) {
            byte[] line = new byte[1 + 3 * width];
            for (int y = 0; y < height; y++) {
                line[0] = 0; // filter type: none
                for (int x = 0; x < width; x++) {
                    int p = rgb[y * width + x];
                    line[1 + 3 * x] = (byte) (p >>> 16);
                    line[2 + 3 * x] = (byte) (p >>> 8);
                    line[3 + 3 * x] = (byte) p;
                }
                z.write(line);
            }
        }
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        png.write(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'});
        ByteArrayOutputStream ihdr = new ByteArrayOutputStream();
        writeInt(ihdr, width);
        writeInt(ihdr, height);
        ihdr.write(new byte[] {8, 2, 0, 0, 0}); // bit depth 8, colour type RGB, deflate, filter 0, no interlace
        chunk(png, "IHDR", ihdr.toByteArray());
        chunk(png, "IDAT", raw.toByteArray());
        chunk(png, "IEND", new byte[0]);
        AtomicFiles.write(file, png.toByteArray());   // all or nothing, with the umask's permissions
    }

    private static void chunk(OutputStream out, String type, byte[] data) throws IOException {
        byte[] t = type.getBytes(StandardCharsets.US_ASCII);
        writeInt(out, data.length);
        out.write(t);
        out.write(data);
        CRC32 crc = new CRC32();
        crc.update(t);
        crc.update(data);
        writeInt(out, (int) crc.getValue());
    }

    private static void writeInt(OutputStream out, int v) throws IOException {
        out.write(new byte[] {(byte) (v >>> 24), (byte) (v >>> 16), (byte) (v >>> 8), (byte) v});
    }
}
