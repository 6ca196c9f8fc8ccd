package org.vae4j.examples;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Rectangle;
import java.awt.geom.Ellipse2D;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.title.LegendTitle;
import org.jfree.chart.title.TextTitle;
import org.jfree.chart.ui.RectangleEdge;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/** Charts with axes and legends (JFreeChart, drawn headless) written as PNG files. Stateless. */
final class Charts {

    /** The ten colours of matplotlib's "tab10" palette, one per class label. */
    private static final Color[] TAB10 = {
        new Color(0x1f77b4), new Color(0xff7f0e), new Color(0x2ca02c), new Color(0xd62728), new Color(0x9467bd),
        new Color(0x8c564b), new Color(0xe377c2), new Color(0x7f7f7f), new Color(0xbcbd22), new Color(0x17becf),
    };

    private Charts() {
    }

    /** One curve: its name and its y value per epoch (NaN for none). */
    record Curve(String name, double[] values) {
    }

    /**
     * Loss curves over epochs 1..n: one line with markers per curve.
     *
     * @param subtitle e.g. the architecture
     * @param yLabel e.g. "nats per image"
     */
    static void writeLossChart(String title, String subtitle, String yLabel, List<Curve> curves, Path file)
            throws IOException {
        XYSeriesCollection data = new XYSeriesCollection();
        int epochs = 0;
        for (Curve c : curves) {
            XYSeries s = new XYSeries(c.name());
            for (int e = 0; e < c.values().length; e++) {
                if (Double.isFinite(c.values()[e])) {
                    s.add(e + 1, c.values()[e]);
                }
            }
            data.addSeries(s);
            epochs = Math.max(epochs, c.values().length);
        }
        JFreeChart chart = ChartFactory.createXYLineChart(title, "epoch", yLabel, data, PlotOrientation.VERTICAL,
                true, false, false);
        chart.addSubtitle(new TextTitle(subtitle));
        XYPlot plot = style(chart);
        XYLineAndShapeRenderer r = new XYLineAndShapeRenderer(true, true);
        for (int i = 0; i < curves.size(); i++) {
            r.setSeriesPaint(i, TAB10[i % TAB10.length]);
            r.setSeriesStroke(i, new BasicStroke(2f));
            r.setSeriesShape(i, new Ellipse2D.Double(-4, -4, 8, 8));
        }
        plot.setRenderer(r);
        NumberAxis x = (NumberAxis) plot.getDomainAxis();
        x.setStandardTickUnits(NumberAxis.createIntegerTickUnits());
        x.setRange(0.5, Math.max(1, epochs) + 0.5);
        ((NumberAxis) plot.getRangeAxis()).setAutoRangeIncludesZero(false);
        write(chart, 800, 500, file);
    }

    /**
     * A scatter plot of 2-D points coloured by class, with a legend.
     *
     * @param xy         (n, 2) points, row-major
     * @param labels     class of each point, 0 .. classNames.length - 1
     * @param classNames legend entry of each class
     */
    static void writeScatter(String title, String xLabel, String yLabel, float[] xy, int[] labels,
                             String[] classNames, Path file) throws IOException {
        XYSeriesCollection data = new XYSeriesCollection();
        XYSeries[] series = new XYSeries[classNames.length];
        for (int c = 0; c < classNames.length; c++) {
            series[c] = new XYSeries(classNames[c], false, true);
            data.addSeries(series[c]);
        }
        for (int i = 0; i < labels.length; i++) {
            series[labels[i]].add(xy[2 * i], xy[2 * i + 1], false);
        }
        JFreeChart chart = ChartFactory.createScatterPlot(title, xLabel, yLabel, data, PlotOrientation.VERTICAL,
                true, false, false);
        XYPlot plot = style(chart);
        XYLineAndShapeRenderer r = new XYLineAndShapeRenderer(false, true);
        for (int c = 0; c < classNames.length; c++) {
            Color base = TAB10[c % TAB10.length];
            r.setSeriesPaint(c, new Color(base.getRed(), base.getGreen(), base.getBlue(), 150));
            r.setSeriesShape(c, new Ellipse2D.Double(-1.5, -1.5, 3, 3));
            r.setLegendShape(c, new Rectangle(-5, -5, 10, 10));
        }
        plot.setRenderer(r);
        ((NumberAxis) plot.getDomainAxis()).setAutoRangeIncludesZero(false);
        ((NumberAxis) plot.getRangeAxis()).setAutoRangeIncludesZero(false);
        LegendTitle legend = chart.getLegend();
        legend.setPosition(RectangleEdge.RIGHT);
        write(chart, 760, 640, file);
    }

    private static XYPlot style(JFreeChart chart) {
        chart.setBackgroundPaint(Color.WHITE);
        chart.setAntiAlias(true);
        XYPlot plot = chart.getXYPlot();
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinePaint(new Color(0xdddddd));
        plot.setRangeGridlinePaint(new Color(0xdddddd));
        plot.setOutlinePaint(Color.GRAY);
        return plot;
    }

    private static void write(JFreeChart chart, int width, int height, Path file) throws IOException {
        Pictures.writeFile(file, out -> ChartUtils.writeChartAsPNG(out, chart, width, height));
    }
}
