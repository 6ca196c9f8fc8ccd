package org.vae4j.examples;

import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

import org.ejml.data.FMatrixRMaj;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.plot.XYPlot;
import org.jfree.data.statistics.HistogramDataset;
import org.vae4j.eval.Pca;
import org.vae4j.loss.MissingCells;
import org.vae4j.table.RowScores;
import org.vae4j.table.TableModel;
import org.vae4j.train.EpochStats;

/** The pictures of {@code vae4j train}: loss curves, the score histogram with the threshold, the latent means in 2-D. */
final class TablePictures {

    private TablePictures() {
    }

    static void write(Path out, TableModel model, FMatrixRMaj x, RowScores all, double threshold, List<EpochStats> history,
                      List<Double> validations) throws IOException {
        double[] train = history.stream().mapToDouble(EpochStats::trainLoss).toArray();
        double[] val = validations.stream().mapToDouble(Double::doubleValue).toArray();
        Charts.writeLossChart("-ELBO per row", model.model().describe(), "nats per row",
                List.of(new Charts.Curve("training", train), new Charts.Curve("validation", val)), out.resolve("loss.png"));
        histogram(all.score, threshold, out.resolve("scores.png"));
        latent(model, x, all, threshold, out.resolve("latent.png"));
    }

    static void histogram(double[] scores, double threshold, Path file) throws IOException {
        HistogramDataset d = new HistogramDataset();
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        for (double s : scores) {
            lo = Math.min(lo, s);
            hi = Math.max(hi, s);
        }
        // the tail beyond the 99.9th percentile squeezed into the last bin, so the body stays readable
        double[] sorted = scores.clone();
        java.util.Arrays.sort(sorted);
        double cap = Math.max(threshold, sorted[(int) Math.min(sorted.length - 1, Math.floor(0.999 * sorted.length))]);
        double[] shown = new double[scores.length];
        for (int i = 0; i < scores.length; i++) {
            shown[i] = Math.min(scores[i], cap);
        }
        d.addSeries("rows", shown, 80);
        JFreeChart chart = ChartFactory.createHistogram("Row scores (-log p(x), nats)", "score (values above "
                + String.format("%.1f", cap) + " in the last bin)", "rows", d, PlotOrientation.VERTICAL, false, false, false);
        XYPlot plot = chart.getXYPlot();
        plot.setBackgroundPaint(Color.WHITE);
        ValueMarker m = new ValueMarker(threshold, new Color(214, 39, 40), new BasicStroke(2f));
        m.setLabel(String.format("threshold %.2f", threshold));
        m.setLabelPaint(new Color(214, 39, 40));
        plot.addDomainMarker(m);
        Pictures.writeFile(file, os -> ChartUtils.writeChartAsPNG(os, chart, 800, 500));
    }

    static void latent(TableModel model, FMatrixRMaj x, RowScores all, double threshold, Path file) throws IOException {
        FMatrixRMaj filled = new FMatrixRMaj(x.numRows, x.numCols);
        MissingCells.split(model.model().likelihood(), x, filled, "rows");
        FMatrixRMaj mu = model.model().encodeMean(filled);
        FMatrixRMaj xy;
        String axes;
        if (mu.numCols == 2) {
            xy = mu;
            axes = "z";
        } else {
            xy = Pca.fit(mu, 2).project(mu);
            axes = "PC";
        }
        int[] labels = new int[x.numRows];
        for (int r = 0; r < labels.length; r++) {
            labels[r] = all.score[r] > threshold ? 1 : 0;
        }
        Charts.writeScatter("Latent means" + (mu.numCols == 2 ? "" : " (first 2 principal components)"), axes + "1",
                axes + "2", xy.data, labels, new String[] {"below threshold", "above threshold"}, file);
    }
}
