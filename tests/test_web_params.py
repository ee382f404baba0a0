"""`webapp.params.same_site_path`: the one check every `next` parameter goes through."""
import pytest

from webapp.params import same_site_path


@pytest.mark.parametrize("target", ["/", "/report/赵集镇-2024#一.1", "/?q=%E6%B3%95&page=2"])
def test_paths_on_this_site_are_kept(target):
    assert same_site_path(target) == target


@pytest.mark.parametrize("target", [None, "", "//evil.example/x", "https://evil.example/",
                                    "/\\evil.example", "javascript:alert(1)", "report/x",
                                    "http:/evil.example"])
def test_anything_that_could_leave_the_site_is_refused(target):
    assert same_site_path(target) is None
