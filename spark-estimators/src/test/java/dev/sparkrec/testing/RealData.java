package dev.sparkrec.testing;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Marks a test class or method that reads the real public datasets under {@link SparkTestSession#dataDir()}.
 *
 * <p>Such tests carry the JUnit tag {@value #TAG}. When the data folder is missing (a fresh clone without
 * {@code ../shared/data}) they are skipped, and the run ends with one line counting them; with
 * {@code -Dsparkrec.requireRealData=true} (set by {@code .ci/run}) a missing folder fails them instead.
 * Every test that calls {@link SparkTestSession#dataFile} or {@link SparkTestSession#dataDir} for a real
 * dataset must carry this annotation. Put it on the class when every test reads the data (or a
 * {@code @BeforeAll} or field initialiser does), on the methods otherwise.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD})
@Tag(RealData.TAG)
@ExtendWith(RealDataCondition.class)
public @interface RealData {

  /** The JUnit tag of real-data tests: {@code -Dgroups=real-data} runs only them. */
  String TAG = "real-data";

  /** System property that turns a skip for missing data into a failure. */
  String REQUIRE_PROPERTY = "sparkrec.requireRealData";
}
