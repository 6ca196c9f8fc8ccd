package org.vae4j.examples;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import scala.Tuple2;

/**
 * An MNIST-format (IDX) training split read where the Spark tasks run: the driver reads and
 * checks only the two headers (16 and 8 bytes), makes an RDD of row ranges, and each task reads
 * its range of the images (and labels) through the Hadoop {@link FileSystem} API with the
 * SparkContext's Hadoop configuration, so a path may be {@code file:}, {@code hdfs:} or
 * {@code s3a:}. Pixels are {@code (byte & 0xFF) / 255f}, as {@code data.ImageDataset} reads
 * them; the rows come in file order (row i of the RDD is image i: its id).
 *
 * <p>An uncompressed file is read by seeking to its range. A gzipped file cannot be read by
 * range: each task decompresses the stream from the start and skips to its range, so a run reads
 * at most P times the compressed file on the executors and nothing on the driver; for large
 * files, store them uncompressed. (Decompressing once into a cache would need a file system the
 * executors share; a read on the driver is what this class avoids.)
 *
 * <p>Stateless; thread-safe.
 */
final class ExecutorImages {

    static final int IMAGES_MAGIC = 0x00000803;
    static final int LABELS_MAGIC = 0x00000801;

    private ExecutorImages() {
    }

    /** The header of an IDX images file: {@code count} images of {@code rows} x {@code cols} bytes. */
    record Header(String file, int count, int rows, int cols, boolean gzipped) implements java.io.Serializable {
        int pixels() {
            return rows * cols;
        }
    }

    /**
     * Reads and checks the header of the images file and, when {@code labels} is not null, of the
     * labels file (the same count); for an uncompressed file also its length.
     *
     * @throws IllegalArgumentException naming the file for a bad magic number, a size, or a length
     */
    static Header header(Configuration conf, String images, String labels) throws IOException {
        Header h;
        try (Opened in = open(conf, images)) {
            int magic = in.data.readInt();
            if (magic != IMAGES_MAGIC) {
                throw new IllegalArgumentException(images + ": not an IDX images file (magic number 0x"
                        + Integer.toHexString(magic) + " at byte 0, expected 0x803)");
            }
            int n = in.data.readInt();
            int rows = in.data.readInt();
            int cols = in.data.readInt();
            if (n < 1 || rows < 1 || cols < 1 || (long) rows * cols > 1 << 24) {
                throw new IllegalArgumentException(images + ": the header gives " + n + " images of " + rows + "x" + cols
                        + " (at bytes 4..15); at least one image of at most 2^24 pixels is needed");
            }
            h = new Header(images, n, rows, cols, in.gzipped);
            long expected = 16 + (long) n * rows * cols;
            if (!in.gzipped && in.length != expected) {
                throw new IllegalArgumentException(images + ": the header gives " + n + " images of " + rows + "x" + cols
                        + " (" + expected + " bytes with the header) but the file has " + in.length + " bytes");
            }
        }
        if (labels != null) {
            try (Opened in = open(conf, labels)) {
                int magic = in.data.readInt();
                int n = in.data.readInt();
                if (magic != LABELS_MAGIC || n != h.count()) {
                    throw new IllegalArgumentException(labels + ": " + (magic != LABELS_MAGIC ? "not an IDX labels file "
                            + "(magic number 0x" + Integer.toHexString(magic) + " at byte 0, expected 0x801)"
                            : "the header gives " + n + " labels (bytes 4..7) for the " + h.count() + " images of "
                            + images));
                }
                if (!in.gzipped && in.length != 8L + n) {
                    throw new IllegalArgumentException(labels + ": the header gives " + n + " labels but the file has "
                            + in.length + " bytes (expected " + (8L + n) + ")");
                }
            }
        }
        return h;
    }

    /** The images as rows, read by the tasks: {@code partitions} ranges of consecutive images. */
    static JavaRDD<float[]> images(JavaSparkContext sc, Header h, int partitions) {
        Map<String, String> conf = settings(sc.hadoopConfiguration());
        return ranges(sc, h.count(), partitions).flatMap(r -> readImages(conf, h, r._1(), r._2()).iterator());
    }

    /** The images with the one-hot of their labels ({@code classes} wide), read by the tasks. */
    static JavaRDD<Tuple2<float[], float[]>> imagesWithLabels(JavaSparkContext sc, Header h, String labels, int classes,
                                                             int partitions) {
        Map<String, String> conf = settings(sc.hadoopConfiguration());
        return ranges(sc, h.count(), partitions).flatMap(r -> {
            List<float[]> x = readImages(conf, h, r._1(), r._2());
            int[] y = readLabels(conf, labels, r._1(), r._2());
            List<Tuple2<float[], float[]>> out = new ArrayList<>(x.size());
            for (int i = 0; i < x.size(); i++) {
                if (y[i] < 0 || y[i] >= classes) {
                    throw new IllegalArgumentException(labels + ": label " + y[i] + " of image " + (r._1() + i)
                            + " (byte " + (8L + r._1() + i) + ") is not in 0.." + (classes - 1));
                }
                float[] c = new float[classes];
                c[y[i]] = 1f;
                out.add(new Tuple2<>(x.get(i), c));
            }
            return out.iterator();
        });
    }

    /** [start, end) ranges covering 0..n-1, earlier ones larger by at most one, one per partition. */
    private static JavaRDD<Tuple2<Integer, Integer>> ranges(JavaSparkContext sc, int n, int partitions) {
        int p = Math.max(1, Math.min(partitions, n));
        List<Tuple2<Integer, Integer>> r = new ArrayList<>(p);
        int start = 0;
        for (int i = 0; i < p; i++) {
            int size = n / p + (i < n % p ? 1 : 0);
            r.add(new Tuple2<>(start, start + size));
            start += size;
        }
        return sc.parallelize(r, p);
    }

    static List<float[]> readImages(Map<String, String> conf, Header h, int start, int end) throws IOException {
        int d = h.pixels();
        List<float[]> out = new ArrayList<>(end - start);
        try (Opened in = open(configuration(conf), h.file())) {
            in.skipTo(16 + (long) start * d);
            byte[] buf = new byte[d];
            for (int i = start; i < end; i++) {
                try {
                    in.data.readFully(buf);
                } catch (EOFException e) {
                    throw new IllegalArgumentException(h.file() + ": ends within image " + i + " (byte "
                            + (16 + (long) i * d) + "), but the header gives " + h.count() + " images", e);
                }
                float[] row = new float[d];
                for (int j = 0; j < d; j++) {
                    row[j] = (buf[j] & 0xFF) / 255f;
                }
                out.add(row);
            }
        }
        return out;
    }

    static int[] readLabels(Map<String, String> conf, String file, int start, int end) throws IOException {
        int[] y = new int[end - start];
        try (Opened in = open(configuration(conf), file)) {
            in.skipTo(8 + (long) start);
            for (int i = 0; i < y.length; i++) {
                int b = in.data.read();
                if (b < 0) {
                    throw new IllegalArgumentException(file + ": ends at label " + (start + i) + " (byte "
                            + (8L + start + i) + ")");
                }
                y[i] = b;
            }
        }
        return y;
    }

    /** The Hadoop settings as a serialisable map (a Configuration is not serialisable). */
    static Map<String, String> settings(Configuration conf) {
        Map<String, String> m = new HashMap<>();
        for (Map.Entry<String, String> e : conf) {
            m.put(e.getKey(), e.getValue());
        }
        return m;
    }

    /**
     * The hex SHA-256 of a file's content (gunzipped when it is gzipped), streamed on the driver in
     * 64 KB pieces: bounded memory, nothing kept, nothing shipped to the tasks.
     */
    static String sha256(Configuration conf, String file) throws IOException {
        java.security.MessageDigest md;
        try {
            md = java.security.MessageDigest.getInstance("SHA-256");
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JVM has no SHA-256", e);
        }
        byte[] buf = new byte[1 << 16];
        try (Opened in = open(conf, file)) {
            for (int r; (r = in.data.read(buf)) > 0; ) {
                md.update(buf, 0, r);
            }
        }
        return java.util.HexFormat.of().formatHex(md.digest());
    }

    private static Configuration configuration(Map<String, String> settings) {
        Configuration c = new Configuration(false);
        settings.forEach(c::set);
        return c;
    }

    /** An opened file: gunzipped when it starts with the gzip magic bytes. */
    private static final class Opened implements AutoCloseable {
        final FSDataInputStream raw;
        final DataInputStream data;
        final boolean gzipped;
        final long length;

        Opened(FSDataInputStream raw, DataInputStream data, boolean gzipped, long length) {
            this.raw = raw;
            this.data = data;
            this.gzipped = gzipped;
            this.length = length;
        }

        /** From the start of the file to byte {@code offset} of its content: a seek, or skipping decompressed bytes. */
        void skipTo(long offset) throws IOException {
            if (gzipped) {
                data.skipNBytes(offset);
            } else {
                raw.seek(offset);
            }
        }

        @Override
        public void close() throws IOException {
            data.close();
        }
    }

    private static Opened open(Configuration conf, String file) throws IOException {
        Path p = new Path(file);
        FileSystem fs = p.getFileSystem(conf);
        long length = fs.getFileStatus(p).getLen();
        FSDataInputStream raw = fs.open(p);
        int b0 = raw.read();
        int b1 = raw.read();
        raw.seek(0);
        boolean gz = b0 == 0x1f && b1 == 0x8b;
        InputStream in = gz ? new GZIPInputStream(raw, 1 << 16) : raw;
        return new Opened(raw, new DataInputStream(in), gz, length);
    }
}
