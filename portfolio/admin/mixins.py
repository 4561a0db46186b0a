"""Import/export wiring shared by the firm and certification admins."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ImproperlyConfigured
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from import_export.admin import ImportExportMixin
from import_export.formats.base_formats import XLSX

from portfolio.admin.formats import EncodingDetectingCSV, ImportFileError
from portfolio.resources import SafeResource


class ScopedImportExportMixin(ImportExportMixin):
    """CSV and XLSX, all-or-nothing imports, resources told who the user is.

    The confirm step re-runs the whole file in one transaction and rolls it all back if any row
    fails (the file may have been valid at preview time and not anymore), so nothing is ever
    half imported.
    """

    formats = [EncodingDetectingCSV, XLSX]

    def get_export_resource_classes(self, request):
        classes = super().get_export_resource_classes(request)
        for resource_class in classes:
            if not issubclass(resource_class, SafeResource):
                # Its exports would carry spreadsheet formulas from imported text.
                raise ImproperlyConfigured(
                    f"{resource_class.__name__} must derive from portfolio.resources.SafeResource"
                )
        return classes

    def add_data_read_fail_error_to_form(self, form, e):
        if isinstance(e, ImportFileError):
            form.add_error("import_file", str(e))
        else:
            super().add_data_read_fail_error_to_form(form, e)

    def get_resource_kwargs(self, request, *args, **kwargs):
        return {"user": request.user}

    def has_import_permission(self, request):
        return self.has_add_permission(request) and self.has_change_permission(request)

    def has_export_permission(self, request):
        return self.has_view_permission(request)

    def get_import_data_kwargs(self, **kwargs):
        kwargs = super().get_import_data_kwargs(**kwargs)
        kwargs.pop("request", None)
        kwargs["use_transactions"] = True
        kwargs["rollback_on_validation_errors"] = True
        return kwargs

    def process_result(self, result, request):
        if result.has_errors() or result.has_validation_errors():
            messages.error(
                request,
                _("Nothing was imported. Rows with errors: %(n)d. Correct the file and import it again.")
                % {"n": len(result.invalid_rows) + len(result.row_errors())},
            )
            context = self.admin_site.each_context(request)
            context.update(
                {
                    "title": _("Import"),
                    "opts": self.model._meta,
                    "result": result,
                    "form": self.create_import_form(request),
                    "import_error_display": self.import_error_display,
                    "fields_list": [],
                }
            )
            return TemplateResponse(request, [self.import_template_name], context, status=400)
        return super().process_result(result, request)
