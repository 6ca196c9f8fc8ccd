package org.vae4j.spark;

import java.util.Arrays;

import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.Metadata;
import org.apache.spark.sql.types.NumericType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * Finds the feature columns of a schema (numeric input columns, or one vector column) and appends
 * the output columns of a {@link VaeModel}. Stateless.
 */
final class Features {

    private Features() {
    }

    static Scoring.Features of(StructType schema, String[] inputCols, String featuresCol, int width) {
        if (inputCols != null && inputCols.length > 0) {
            if (width > 0 && inputCols.length != width) {
                throw new IllegalArgumentException(inputCols.length + " input columns, the model's input size is "
                        + width);
            }
            int[] idx = new int[inputCols.length];
            for (int i = 0; i < idx.length; i++) {
                idx[i] = index(schema, inputCols[i]);
                DataType t = schema.fields()[idx[i]].dataType();
                if (!(t instanceof NumericType)) {
                    throw new IllegalArgumentException("input column " + inputCols[i] + " is " + t.simpleString()
                            + ", not numeric");
                }
            }
            return new Scoring.Features(-1, idx, inputCols.length);
        }
        int v = index(schema, featuresCol);
        StructField f = schema.fields()[v];
        if (!f.dataType().equals(SQLDataTypes.VectorType())) {
            throw new IllegalArgumentException("features column " + featuresCol + " is " + f.dataType().simpleString()
                    + ", not a vector (or set inputCols)");
        }
        return new Scoring.Features(v, null, width);
    }

    /**
     * {@return {@code schema} with the output columns of a model appended: the latent mean (a
     * vector), the score (a double) and the anomaly flag (a boolean), none nullable}
     *
     * @throws IllegalArgumentException when one of the names is already a column of {@code schema}
     */
    static StructType withOutputs(StructType schema, String latentCol, String scoreCol, String anomalyCol) {
        for (String c : new String[]{latentCol, scoreCol, anomalyCol}) {
            if (Arrays.asList(schema.fieldNames()).contains(c)) {
                throw new IllegalArgumentException("output column " + c + " already exists in "
                        + Arrays.toString(schema.fieldNames()));
            }
        }
        return schema.add(new StructField(latentCol, SQLDataTypes.VectorType(), false, Metadata.empty()))
                .add(scoreCol, DataTypes.DoubleType, false)
                .add(anomalyCol, DataTypes.BooleanType, false);
    }

    private static int index(StructType schema, String name) {
        String[] names = schema.fieldNames();
        int i = Arrays.asList(names).indexOf(name);
        if (i < 0) {
            throw new IllegalArgumentException("no column " + name + " in " + Arrays.toString(names));
        }
        return i;
    }
}
