"""The archive-wide views (analysis.summaries) follow the catalogue's generation, and the
overview counts everything from that one source."""
from helpers import SAMPLES, make_app
from webapp.services import get_archive, get_index
from analysis.summaries import archive_overview, catalogue


def test_the_overview_counts_reports_and_years_from_one_source_while_the_index_lags(tmp_path):
    app = make_app(tmp_path / "data")
    with app.app_context():
        archive = get_archive()
        for path in sorted(SAMPLES.iterdir())[:3]:  # stored, not indexed: the index lags
            assert archive.import_file(path).status == "imported"
        overview = archive_overview(archive)
        assert get_index().years() == {}
        assert overview["reports"] == 3 == sum(overview["years"].values())
        assert overview["years"] == {y: sum(s.year == y for s in archive.summaries())
                                     for y in {s.year for s in archive.summaries()}}


def test_views_are_rebuilt_once_per_generation_and_on_a_hand_edit(tmp_path):
    app = make_app(tmp_path / "data")
    with app.app_context():
        archive = get_archive()
        archive.import_file(sorted(SAMPLES.iterdir())[0])
        first, generation = catalogue(archive), archive.generation()
        assert catalogue(archive) is first and archive.generation() == generation
        (rid,) = archive.ids()
        path = archive.reports_dir / f"{rid}.md"
        text = path.read_text(encoding="utf-8")
        town = archive.get(rid).place.town
        path.write_text(text.replace(f"town: {town}", "town: 手改镇"), encoding="utf-8")
        archive.rescan_interval = 0  # see an edit made in place at once
        assert archive.generation() != generation
        assert [r["town"] for r in catalogue(archive).rows] == ["手改镇"]
