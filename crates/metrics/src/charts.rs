//! SVG charts (plotters): deployment frequency, lead-time distribution, PR cycle-time stages,
//! sprint burndown and cumulative flow. Pure functions from metric results to SVG text, so the
//! same chart goes to the UI, to exported notes and to snapshot tests.

use crate::dora::Week;
use crate::flow::CfdDay;
use crate::prs::WeekStages;
use crate::sprint::BurnPoint;
use bosun_core::time::{DAY, HOUR, Ts, WEEK, from_ts};
use plotters::coord::Shift;
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;

/// Chart width in pixels.
pub const WIDTH: u32 = 720;
/// Chart height in pixels.
pub const HEIGHT: u32 = 320;

const INK: RGBColor = RGBColor(0x1f, 0x29, 0x37);
const BLUE: RGBColor = RGBColor(0x25, 0x63, 0xeb);
const RED: RGBColor = RGBColor(0xdc, 0x26, 0x26);
const GREEN: RGBColor = RGBColor(0x16, 0xa3, 0x4a);
const AMBER: RGBColor = RGBColor(0xd9, 0x77, 0x06);
const GREY: RGBColor = RGBColor(0x9c, 0xa3, 0xaf);
const PURPLE: RGBColor = RGBColor(0x7c, 0x3a, 0xed);

/// A series: its legend, colour and value.
type Layer<T, V> = (&'static str, RGBColor, fn(&T) -> V);

/// The lead-time histogram's buckets: a label and the exclusive upper bound in seconds.
pub const LEAD_TIME_BUCKETS: &[(&str, i64)] = &[
    ("<1h", HOUR),
    ("<4h", 4 * HOUR),
    ("<1d", DAY),
    ("<2d", 2 * DAY),
    ("<1w", WEEK),
    ("<2w", 2 * WEEK),
    ("<1mo", 30 * DAY),
    (">1mo", i64::MAX),
];

/// How many samples fall in each of [`LEAD_TIME_BUCKETS`].
pub fn lead_time_histogram(samples_secs: &[i64]) -> Vec<u32> {
    let mut counts = vec![0u32; LEAD_TIME_BUCKETS.len()];
    for s in samples_secs {
        let i = LEAD_TIME_BUCKETS
            .iter()
            .position(|(_, max)| s < max)
            .unwrap_or(LEAD_TIME_BUCKETS.len() - 1);
        counts[i] += 1;
    }
    counts
}

fn day_label(t: Ts) -> String {
    from_ts(t).format("%b %d").to_string()
}

type Area<'b> = DrawingArea<SVGBackend<'b>, Shift>;
type Chart<'a, 'b> = ChartContext<'a, SVGBackend<'b>, Cartesian2d<RangedCoordf64, RangedCoordf64>>;
type Drawn<'b, T> = Result<T, Box<dyn std::error::Error + 'b>>;

/// A chart in the house style: `caption` above, room for the labels, x from 0 to `x` and y from 0
/// to `y`.
fn frame<'a, 'b>(root: &'a Area<'b>, caption: &str, x: f64, y: f64) -> Drawn<'b, Chart<'a, 'b>> {
    Ok(ChartBuilder::on(root)
        .caption(caption, ("sans-serif", 16).into_font().color(&INK))
        .margin(12)
        .x_label_area_size(36)
        .y_label_area_size(52)
        .build_cartesian_2d(0f64..x, 0f64..y)?)
}

/// The mesh of a weekly chart: no vertical lines, up to eight week labels (the weeks' `starts`),
/// whole numbers up the side, named `y_desc`.
fn weekly_mesh<'b>(chart: &mut Chart<'_, 'b>, starts: &[Ts], y_desc: &str) -> Drawn<'b, ()> {
    chart
        .configure_mesh()
        .disable_x_mesh()
        .light_line_style(WHITE)
        .x_labels(starts.len().clamp(1, 8))
        .x_label_formatter(&|x| {
            starts
                .get(*x as usize)
                .filter(|_| x.fract() == 0.0)
                .map(|s| day_label(*s))
                .unwrap_or_default()
        })
        .y_label_formatter(&|y| format!("{y:.0}"))
        .y_desc(y_desc)
        .draw()?;
    Ok(())
}

fn render<F>(draw: F) -> String
where
    F: FnOnce(DrawingArea<SVGBackend<'_>, Shift>) -> Result<(), Box<dyn std::error::Error + '_>>,
{
    let mut out = String::new();
    {
        let root = SVGBackend::with_string(&mut out, (WIDTH, HEIGHT)).into_drawing_area();
        if root.fill(&WHITE).is_ok() {
            let _ = draw(root);
        }
    }
    out
}

/// Deployments per week, the failed ones in red.
pub fn deployment_frequency(weeks: &[Week]) -> String {
    render(|root| {
        let max = weeks
            .iter()
            .map(|w| w.deployments)
            .max()
            .unwrap_or(0)
            .max(1) as f64;
        let mut chart = frame(
            &root,
            "Production deployments per week",
            weeks.len().max(1) as f64,
            max * 1.5,
        )?;
        let starts: Vec<Ts> = weeks.iter().map(|w| w.start).collect();
        weekly_mesh(&mut chart, &starts, "deployments")?;
        let bar = |i: usize, v: usize, color: RGBColor| {
            Rectangle::new(
                [(i as f64 + 0.12, 0.0), (i as f64 + 0.88, v as f64)],
                color.mix(0.85).filled(),
            )
        };
        chart
            .draw_series(
                weeks
                    .iter()
                    .enumerate()
                    .map(|(i, w)| bar(i, w.deployments, BLUE)),
            )?
            .label("deployments")
            .legend(|(x, y)| Rectangle::new([(x, y - 5), (x + 10, y + 5)], BLUE.filled()));
        chart
            .draw_series(
                weeks
                    .iter()
                    .enumerate()
                    .filter(|(_, w)| w.failed > 0)
                    .map(|(i, w)| bar(i, w.failed, RED)),
            )?
            .label("failed")
            .legend(|(x, y)| Rectangle::new([(x, y - 5), (x + 10, y + 5)], RED.filled()));
        chart
            .configure_series_labels()
            .border_style(GREY)
            .background_style(WHITE.mix(0.9))
            .position(SeriesLabelPosition::UpperRight)
            .draw()?;
        Ok(())
    })
}

/// Lead time for changes: how many changes took how long (log-spaced buckets).
pub fn lead_time_distribution(samples_secs: &[i64]) -> String {
    const BUCKETS: &[(&str, i64)] = LEAD_TIME_BUCKETS;
    let counts = lead_time_histogram(samples_secs);
    render(|root| {
        let max = counts.iter().copied().max().unwrap_or(0).max(1) as f64;
        let mut chart = frame(
            &root,
            "Lead time for changes",
            BUCKETS.len() as f64,
            max * 1.15,
        )?;
        chart
            .configure_mesh()
            .disable_x_mesh()
            .light_line_style(WHITE)
            .x_labels(BUCKETS.len() * 2 + 1)
            // Label each bar at its centre.
            .x_label_formatter(&|x| {
                if x.fract() == 0.5 {
                    BUCKETS
                        .get(*x as usize)
                        .map_or(String::new(), |b| b.0.to_string())
                } else {
                    String::new()
                }
            })
            .y_label_formatter(&|y| format!("{y:.0}"))
            .y_desc("changes")
            .draw()?;
        chart.draw_series(counts.iter().enumerate().map(|(i, c)| {
            Rectangle::new(
                [(i as f64 + 0.08, 0.0), (i as f64 + 0.92, f64::from(*c))],
                PURPLE.mix(0.8).filled(),
            )
        }))?;
        Ok(())
    })
}

/// Median hours per PR stage, stacked, per week.
pub fn pr_stages(weeks: &[WeekStages]) -> String {
    let h = |v: Option<f64>| v.unwrap_or(0.0) / HOUR as f64;
    let totals: Vec<f64> = weeks
        .iter()
        .map(|w| {
            h(w.coding_median_secs)
                + h(w.pickup_median_secs)
                + h(w.review_median_secs)
                + h(w.deploy_median_secs)
        })
        .collect();
    render(|root| {
        let max = totals.iter().copied().fold(1.0, f64::max);
        let mut chart = frame(
            &root,
            "PR cycle time by stage (median hours per week)",
            weeks.len().max(1) as f64,
            max * 1.7,
        )?;
        let starts: Vec<Ts> = weeks.iter().map(|w| w.start).collect();
        weekly_mesh(&mut chart, &starts, "hours")?;
        let stages: [Layer<WeekStages, Option<f64>>; 4] = [
            ("coding", BLUE, |w| w.coding_median_secs),
            ("pickup", AMBER, |w| w.pickup_median_secs),
            ("review", PURPLE, |w| w.review_median_secs),
            ("deploy", GREEN, |w| w.deploy_median_secs),
        ];
        let mut base = vec![0.0; weeks.len()];
        for (name, color, get) in stages {
            let bars: Vec<Rectangle<(f64, f64)>> = weeks
                .iter()
                .enumerate()
                .map(|(i, w)| {
                    let v = h(get(w));
                    let r = Rectangle::new(
                        [(i as f64 + 0.1, base[i]), (i as f64 + 0.9, base[i] + v)],
                        color.mix(0.85).filled(),
                    );
                    base[i] += v;
                    r
                })
                .collect();
            chart.draw_series(bars)?.label(name).legend(move |(x, y)| {
                Rectangle::new([(x, y - 5), (x + 10, y + 5)], color.filled())
            });
        }
        chart
            .configure_series_labels()
            .border_style(GREY)
            .background_style(WHITE.mix(0.9))
            .position(SeriesLabelPosition::UpperRight)
            .draw()?;
        Ok(())
    })
}

/// Remaining points per day against the ideal line.
pub fn burndown(points: &[BurnPoint], end: Ts) -> String {
    render(|root| {
        let start = points.first().map_or(0, |p| p.day);
        let max = points
            .iter()
            .map(|p| p.remaining_points.max(p.ideal_points))
            .fold(1.0, f64::max);
        let days = ((end - start) as f64 / DAY as f64).max(1.0);
        let mut chart = frame(&root, "Sprint burndown (story points)", days, max * 1.25)?;
        chart
            .configure_mesh()
            .light_line_style(WHITE)
            .x_label_formatter(&|d| format!("{d:.0}"))
            .y_label_formatter(&|y| format!("{y:.0}"))
            .x_desc("day of sprint")
            .y_desc("points left")
            .draw()?;
        let x = |t: Ts| (t - start) as f64 / DAY as f64;
        chart
            .draw_series(LineSeries::new(
                [
                    (0.0, points.first().map_or(0.0, |p| p.ideal_points)),
                    (days, 0.0),
                ],
                GREY.stroke_width(2),
            ))?
            .label("ideal")
            .legend(|(x, y)| PathElement::new([(x, y), (x + 12, y)], GREY.stroke_width(2)));
        chart
            .draw_series(LineSeries::new(
                points.iter().map(|p| (x(p.day), p.remaining_points)),
                BLUE.stroke_width(3),
            ))?
            .label("remaining")
            .legend(|(x, y)| PathElement::new([(x, y), (x + 12, y)], BLUE.stroke_width(3)));
        chart
            .configure_series_labels()
            .border_style(GREY)
            .background_style(WHITE.mix(0.9))
            .position(SeriesLabelPosition::UpperRight)
            .draw()?;
        Ok(())
    })
}

/// Cumulative flow: items per category per day, stacked (done at the bottom).
pub fn cumulative_flow(days: &[CfdDay]) -> String {
    render(|root| {
        let max = days
            .iter()
            .map(|d| d.todo + d.active + d.waiting + d.done)
            .max()
            .unwrap_or(0)
            .max(1) as f64;
        let n = days.len().max(2) as f64 - 1.0;
        let mut chart = frame(&root, "Cumulative flow", n, max * 1.3)?;
        chart
            .configure_mesh()
            .disable_x_mesh()
            .light_line_style(WHITE)
            .x_labels(8)
            .x_label_formatter(&|x| {
                days.get(*x as usize)
                    .map(|d| day_label(d.day))
                    .unwrap_or_default()
            })
            .y_label_formatter(&|y| format!("{y:.0}"))
            .y_desc("items")
            .draw()?;
        let layers: [Layer<CfdDay, usize>; 4] = [
            ("to do", GREY, |d| d.todo + d.active + d.waiting + d.done),
            ("waiting", AMBER, |d| d.active + d.waiting + d.done),
            ("active", BLUE, |d| d.active + d.done),
            ("done", GREEN, |d| d.done),
        ];
        for (name, color, top) in layers {
            chart
                .draw_series(AreaSeries::new(
                    days.iter()
                        .enumerate()
                        .map(|(i, d)| (i as f64, top(d) as f64)),
                    0.0,
                    color.mix(0.75),
                ))?
                .label(name)
                .legend(move |(x, y)| {
                    Rectangle::new([(x, y - 5), (x + 10, y + 5)], color.filled())
                });
        }
        chart
            .configure_series_labels()
            .border_style(GREY)
            .background_style(WHITE.mix(0.9))
            .position(SeriesLabelPosition::UpperLeft)
            .draw()?;
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const T0: Ts = 1_767_571_200; // Monday 2026-01-05

    /// Compare with `tests/snapshots/NAME.svg`; `BOSUN_UPDATE_SNAPSHOTS=1` (re)writes it. A
    /// mismatch leaves `NAME.new.svg` next to it to look at.
    fn snapshot(name: &str, svg: &str) {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots");
        let path = dir.join(format!("{name}.svg"));
        if std::env::var_os("BOSUN_UPDATE_SNAPSHOTS").is_some() {
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(&path, svg).unwrap();
            return;
        }
        let expected = std::fs::read_to_string(&path).unwrap_or_else(|e| {
            panic!(
                "{}: {e} (BOSUN_UPDATE_SNAPSHOTS=1 writes it)",
                path.display()
            )
        });
        if expected != svg {
            let new = dir.join(format!("{name}.new.svg"));
            std::fs::write(&new, svg).unwrap();
            panic!(
                "chart {name} changed: compare {} with {} (BOSUN_UPDATE_SNAPSHOTS=1 accepts it)",
                path.display(),
                new.display()
            );
        }
    }

    fn weeks() -> Vec<Week> {
        (0..8)
            .map(|i| Week {
                start: T0 + i * 604_800,
                deployments: [12, 15, 9, 18, 21, 14, 17, 11][i as usize],
                deployment_days: 5,
                failed: [1, 0, 2, 1, 0, 3, 1, 0][i as usize],
                lead_time_median_secs: Some(86_400.0),
            })
            .collect()
    }

    #[test]
    fn deployment_frequency_chart() {
        let svg = deployment_frequency(&weeks());
        assert!(
            svg.starts_with("<svg") && svg.trim_end().ends_with("</svg>"),
            "{}",
            &svg[..svg.len().min(200)]
        );
        assert!(
            svg.contains("Production deployments per week"),
            "the caption is text"
        );
        assert!(svg.contains("Jan 05"), "week labels");
        assert_eq!(
            svg.matches("fill=\"#2563EB\"").count(),
            8 + 1,
            "a bar per week (and the legend's)"
        );
        assert_eq!(
            svg.matches("fill=\"#DC2626\"").count(),
            5 + 1,
            "a bar per week with failures (and the legend's)"
        );
        snapshot("deployment_frequency", &svg);
    }

    #[test]
    fn lead_time_distribution_chart() {
        let samples: Vec<i64> = (0..200).map(|i| (i * i * 97 + 600) % 3_500_000).collect();
        let svg = lead_time_distribution(&samples);
        assert!(
            svg.contains("&lt;1d") || svg.contains("<1d"),
            "bucket labels"
        );
        snapshot("lead_time_distribution", &svg);
    }

    #[test]
    fn pr_stages_chart() {
        let weeks: Vec<WeekStages> = (0..8)
            .map(|i| WeekStages {
                start: T0 + i * 604_800,
                merged: 20,
                coding_median_secs: Some(20.0 * 3600.0 + i as f64 * 1800.0),
                pickup_median_secs: Some(10.0 * 3600.0 - i as f64 * 900.0),
                review_median_secs: Some(14.0 * 3600.0),
                deploy_median_secs: (i != 3).then_some(8.0 * 3600.0),
            })
            .collect();
        let svg = pr_stages(&weeks);
        for stage in ["coding", "pickup", "review", "deploy"] {
            assert!(svg.contains(stage), "legend {stage}");
        }
        snapshot("pr_stages", &svg);
    }

    #[test]
    fn burndown_chart() {
        let points: Vec<BurnPoint> = (0..8)
            .map(|i| BurnPoint {
                day: T0 + i * 86_400,
                remaining_points: [40.0, 40.0, 37.0, 42.0, 35.0, 30.0, 30.0, 24.0][i as usize],
                ideal_points: 40.0 - 40.0 * i as f64 / 13.0,
            })
            .collect();
        let svg = burndown(&points, T0 + 13 * 86_400);
        assert!(svg.contains("remaining") && svg.contains("ideal"));
        snapshot("burndown", &svg);
    }

    #[test]
    fn cumulative_flow_chart() {
        let days: Vec<CfdDay> = (0..30)
            .map(|i| CfdDay {
                day: T0 + i * 86_400,
                todo: 30 - i as usize / 2,
                active: 6 + i as usize % 3,
                waiting: 2 + i as usize % 2,
                done: 3 * i as usize,
            })
            .collect();
        let svg = cumulative_flow(&days);
        for layer in ["to do", "waiting", "active", "done"] {
            assert!(svg.contains(layer), "legend {layer}");
        }
        snapshot("cumulative_flow", &svg);
    }

    #[test]
    fn empty_data_still_draws_axes() {
        for svg in [
            deployment_frequency(&[]),
            lead_time_distribution(&[]),
            pr_stages(&[]),
            burndown(&[], T0),
            cumulative_flow(&[]),
        ] {
            assert!(
                svg.starts_with("<svg") && svg.contains("</svg>") && svg.contains("<text"),
                "{svg}"
            );
        }
    }
}
