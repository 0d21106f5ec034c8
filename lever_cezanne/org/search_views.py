"""The company picker's JSON search endpoint, and the answer every picker gives."""

from lever_cezanne.core.picker import picker_response
from lever_cezanne.org import bp
from lever_cezanne.org import search as company_search


@bp.route("/search/companies")
def search_companies():
    """Return up to 20 active companies whose code or name starts with ?q=, as picker JSON."""
    return picker_response(company_search.search_companies, company_search.company_result)
