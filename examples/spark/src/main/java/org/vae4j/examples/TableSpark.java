package org.vae4j.examples;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.evaluation.BinaryClassificationEvaluator;
import org.apache.spark.ml.feature.StandardScaler;
import org.apache.spark.ml.feature.VectorAssembler;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.NumericType;
import org.apache.spark.sql.types.StructField;
import org.vae4j.spark.VaeEstimator;
import org.vae4j.spark.VaeModel;

/**
 * {@code examples/run-spark TableSpark CSV [--label COLUMN --positive VALUE] [--master URL]
 * [--partitions P] [--epochs N] [--out DIR]}: reads a CSV with Spark, trains a
 * {@link VaeEstimator} (Gaussian, on the numeric columns standardised by Spark's
 * {@code StandardScaler}, in one ML {@code Pipeline}; with a label, on the rows whose label is not
 * {@code --positive} only), scores every row with {@code transform}
 * (latent mean, score, is_anomaly), writes the scores (CSV folder) and the pipeline
 * ({@code PipelineModel.save}, the VAE stage as an ordinary vae4j model file), and with a label
 * the ROC AUC of the score against it.
 */
public final class TableSpark {

    private TableSpark() {
    }

    public static void main(String[] args) throws java.io.IOException {
        if (args.length < 1 || args[0].startsWith("-")) {
            System.err.println("usage: TableSpark CSV [--label COLUMN --positive VALUE] [--master URL] "
                    + "[--partitions P] [--epochs N] [--out DIR]");
            System.exit(2);
        }
        String csv = args[0];
        String label = null;
        String positive = null;
        String master = "local[*]";
        String out = "out/table-spark";
        int partitions = 2;
        int epochs = 30;
        for (int i = 1; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--label" -> label = args[i + 1];
                case "--positive" -> positive = args[i + 1];
                case "--master" -> master = args[i + 1];
                case "--partitions" -> partitions = Integer.parseInt(args[i + 1]);
                case "--epochs" -> epochs = Integer.parseInt(args[i + 1]);
                case "--out" -> out = args[i + 1];
                default -> {
                    System.err.println("TableSpark: unknown flag " + args[i]);
                    System.exit(2);
                }
            }
        }
        SparkSession spark = SparkSession.builder().master(master).appName("vae4j TableSpark")
                .config("spark.ui.enabled", "false").getOrCreate();
        try {
            Dataset<Row> data = spark.read().option("header", "true").option("inferSchema", "true").csv(csv);
            List<String> numeric = new ArrayList<>();
            for (StructField f : data.schema().fields()) {
                if (f.dataType() instanceof NumericType && !f.name().equals(label)) {
                    numeric.add(f.name());
                }
            }
            System.out.printf("%s: %d columns used of %s%n", csv, numeric.size(), Arrays.toString(data.columns()));
            VectorAssembler assemble = new VectorAssembler().setInputCols(numeric.toArray(new String[0]))
                    .setOutputCol("raw");
            StandardScaler scale = new StandardScaler().setInputCol("raw").setOutputCol("features").setWithMean(true)
                    .setWithStd(true);
            VaeEstimator vae = new VaeEstimator().setFeaturesCol("features").setLikelihood("gaussian")
                    .setHidden(new int[]{32}).setLatent(4).setEpochs(epochs).setBatchSize(64).setLearningRate(3e-3)
                    .setPartitions(partitions).setAnomalyQuantile(0.95);
            // with a label: anomaly detection as in docs/TUTORIAL.md, trained on the normal rows only
            Dataset<Row> normal = label == null ? data
                    : data.filter(functions.col(label).cast("string").notEqual(positive));
            PipelineModel model = new Pipeline().setStages(new PipelineStage[]{assemble, scale, vae}).fit(normal);
            VaeModel fitted = (VaeModel) model.stages()[2];
            Dataset<Row> scored = model.transform(data);
            System.out.printf("trained on %d rows; threshold (0.95 quantile of their scores): %.3f nats; %d of %d rows flagged%n",
                    normal.count(), fitted.getThreshold(), scored.filter(functions.col("is_anomaly")).count(), scored.count());
            if (label != null) {
                Dataset<Row> labelled = scored.withColumn("y",
                        functions.when(functions.col(label).cast("string").equalTo(positive), 1.0).otherwise(0.0));
                double auc = new BinaryClassificationEvaluator().setRawPredictionCol("score").setLabelCol("y")
                        .setMetricName("areaUnderROC").evaluate(labelled);
                System.out.printf("ROC AUC of the score for %s = %s: %.4f%n", label, positive, auc);
            }
            List<String> keep = new ArrayList<>();
            if (label != null) {
                keep.add(label);
            }
            keep.add("score");
            keep.add("is_anomaly");
            scored.select(keep.stream().map(functions::col).toArray(org.apache.spark.sql.Column[]::new))
                    .write().mode("overwrite").option("header", "true").csv(out + "/scores");
            model.write().overwrite().save(out + "/pipeline");
            System.out.println("wrote " + out + "/scores (CSV) and " + out + "/pipeline (the VAE stage's model file: "
                    + out + "/pipeline/stages/2_" + fitted.uid() + "/model.safetensors)");
        } finally {
            spark.stop();
        }
    }
}
