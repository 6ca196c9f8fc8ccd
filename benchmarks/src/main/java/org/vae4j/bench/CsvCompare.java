package org.vae4j.bench;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.SplittableRandom;

import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvParser;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;
import de.siegmar.fastcsv.reader.CsvReader;
import de.siegmar.fastcsv.reader.CsvRecord;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;

/**
 * The three CSV libraries considered for {@code org.vae4j.table} (docs/DATA.md, "Which CSV
 * library"), parsing the same generated file back to back in one process: FastCSV, Apache Commons
 * CSV and Jackson's CSV module. Each pass reads every record as strings (streaming, one record at a
 * time), parses the numeric columns with {@link Double#parseDouble} and sums them, so the three do
 * the same work and the sums must agree. Rounds alternate the libraries; on a loaded machine compare
 * the ratios to FastCSV within a round, not the absolute times.
 *
 * <pre>benchmarks/run csv-compare [--rows N] [--rounds N] [--file PATH]</pre>
 */
public final class CsvCompare {

    private static final int NUMERIC = 8;

    private CsvCompare() {
    }

    public static void main(String[] args) throws Exception {
        int rows = 1_000_000;
        int rounds = 3;
        Path file = Path.of("target", "csv-compare.csv");
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--rows" -> rows = Integer.parseInt(args[++i]);
                case "--rounds" -> rounds = Integer.parseInt(args[++i]);
                case "--file" -> file = Path.of(args[++i]);
                default -> throw new IllegalArgumentException("unknown argument " + args[i]
                        + " (expected --rows, --rounds, --file)");
            }
        }
        generate(file, rows);
        System.out.printf(Locale.ROOT, "file %s: %d rows, %d numeric + 2 string columns (one quoted with commas), %.1f MB%n",
                file, rows, NUMERIC, Files.size(file) / 1e6);
        String[] names = {"fastcsv", "commons-csv", "jackson-csv"};
        for (int round = 0; round <= rounds; round++) {
            double[] ms = new double[3];
            double[] sums = new double[3];
            for (int lib = 0; lib < 3; lib++) {
                long t0 = System.nanoTime();
                sums[lib] = switch (lib) {
                    case 0 -> fastCsv(file);
                    case 1 -> commonsCsv(file);
                    default -> jacksonCsv(file);
                };
                ms[lib] = (System.nanoTime() - t0) / 1e6;
            }
            if (sums[0] != sums[1] || sums[0] != sums[2]) {
                throw new IllegalStateException("the libraries disagree: sums " + sums[0] + ", " + sums[1] + ", " + sums[2]);
            }
            StringBuilder line = new StringBuilder(round == 0 ? "warm-up " : String.format(Locale.ROOT, "round %d ", round));
            for (int lib = 0; lib < 3; lib++) {
                line.append(String.format(Locale.ROOT, " %s %.0f ms (%.2fx)", names[lib], ms[lib], ms[lib] / ms[0]));
            }
            System.out.println(line);
        }
    }

    static void generate(Path file, int rows) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        SplittableRandom rng = new SplittableRandom(1);
        String[] cities = {"Lyon", "Graz", "Porto", "Tartu", "Cork"};
        try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            w.write("id");
            for (int c = 0; c < NUMERIC; c++) {
                w.write(",x" + c);
            }
            w.write(",city,note\n");
            for (int r = 0; r < rows; r++) {
                w.write(Integer.toString(r));
                for (int c = 0; c < NUMERIC; c++) {
                    w.write(',');
                    w.write(Float.toString((float) (rng.nextGaussian() * 10)));
                }
                w.write(',');
                w.write(cities[rng.nextInt(cities.length)]);
                w.write(",\"a, b \"\"c\"\"\"\n");
            }
        }
    }

    private static double sumRow(String[] f) {
        double s = 0;
        for (int c = 1; c <= NUMERIC; c++) {
            s += Double.parseDouble(f[c]);
        }
        return s + f[NUMERIC + 2].length();
    }

    static double fastCsv(Path file) throws IOException {
        double sum = 0;
        try (CsvReader<CsvRecord> reader = CsvReader.builder().ofCsvRecord(file)) {
            boolean header = true;
            String[] f = new String[NUMERIC + 3];
            for (CsvRecord rec : reader) {
                if (header) {
                    header = false;
                    continue;
                }
                for (int i = 0; i < f.length; i++) {
                    f[i] = rec.getField(i);
                }
                sum += sumRow(f);
            }
        }
        return sum;
    }

    static double commonsCsv(Path file) throws IOException {
        double sum = 0;
        try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8);
             CSVParser parser = CSVFormat.RFC4180.builder().setHeader().setSkipHeaderRecord(true).get().parse(in)) {
            String[] f = new String[NUMERIC + 3];
            for (var rec : parser) {
                for (int i = 0; i < f.length; i++) {
                    f[i] = rec.get(i);
                }
                sum += sumRow(f);
            }
        }
        return sum;
    }

    static double jacksonCsv(Path file) throws IOException {
        double sum = 0;
        CsvMapper mapper = new CsvMapper();
        mapper.enable(CsvParser.Feature.WRAP_AS_ARRAY);
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8);
             MappingIterator<String[]> it = mapper.readerFor(String[].class)
                     .with(CsvSchema.emptySchema().withSkipFirstDataRow(true)).readValues(in)) {
            while (it.hasNext()) {
                sum += sumRow(it.next());
            }
        }
        return sum;
    }
}
