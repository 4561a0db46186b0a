"""Import/export wiring shared by the admin lists: exports everywhere, imports where staff asked."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.http import Http404, HttpResponse
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from import_export.admin import ExportMixin, ImportExportMixin
from import_export.formats.base_formats import XLSX
from import_export.forms import SelectableFieldsExportForm

from portfolio.admin.formats import EncodingDetectingCSV, ImportFileError
from portfolio.admin.import_templates import TEMPLATE_FORMATS, import_template_file
from portfolio.resources import SafeResource


class LabelledExportForm(SelectableFieldsExportForm):
    """The columns to export by what they hold, in the interface's language, with their code
    (the file's column heading): "Credit code (credit_code)", not "Credit Code"."""

    def _get_field_label(self, resource, field_name: str) -> str:
        return resource.column_heading(field_name) if issubclass(resource, SafeResource) else field_name


class ScopedExportBase:
    """CSV and XLSX exports of the list as shown (scoped, filtered, searched), spreadsheet-safe,
    with translated column names in the form; resources told who the user is."""

    formats = [EncodingDetectingCSV, XLSX]
    export_form_class = LabelledExportForm

    def get_export_resource_classes(self, request):
        classes = super().get_export_resource_classes(request)
        for resource_class in classes:
            if not issubclass(resource_class, SafeResource):
                # Its exports would carry spreadsheet formulas from imported text.
                raise ImproperlyConfigured(
                    f"{resource_class.__name__} must derive from portfolio.resources.SafeResource"
                )
        return classes

    def get_resource_kwargs(self, request, *args, **kwargs):
        return {"user": request.user}

    def has_export_permission(self, request):
        return self.has_view_permission(request)


class ScopedExportMixin(ScopedExportBase, ExportMixin):
    """For lists staff export but never import."""


class ScopedImportExportMixin(ScopedExportBase, ImportExportMixin):
    """CSV and XLSX, all-or-nothing imports, resources told who the user is, a template to fill.

    The confirm step re-runs the whole file in one transaction and rolls it all back if any row
    fails (the file may have been valid at preview time and not anymore), so nothing is ever
    half imported. The import page offers a template (the column headings, with the accepted
    values of each column on a second sheet of the XLSX) and lists the accepted values.
    """

    def has_import_permission(self, request):
        return self.has_add_permission(request) and self.has_change_permission(request)

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        return [
            path(
                "import/template.<str:extension>",
                self.admin_site.admin_view(self.import_template_view),
                name="{}_{}_import_template".format(*info),
            ),
            *super().get_urls(),
        ]

    def _import_resource(self, request):
        resource_class = self.get_import_resource_classes(request)[0]
        return resource_class(**self.get_import_resource_kwargs(request))

    def import_template_view(self, request, extension: str):
        """The file to fill in: headings of the columns the import reads (CSV, or XLSX with the
        accepted values per column on a second sheet and as comments on the headings)."""
        if not self.has_import_permission(request):
            raise PermissionDenied
        if extension not in TEMPLATE_FORMATS:
            raise Http404
        content, content_type = import_template_file(self._import_resource(request), extension)
        response = HttpResponse(content, content_type=content_type)
        name = f"{self.opts.model_name}-import-template-{timezone.localdate():%Y-%m-%d}.{extension}"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response

    def _import_help(self, request, result=None) -> dict:
        """The import page's template links, accepted values and the preview's headings."""
        info = self.opts.app_label, self.opts.model_name
        name = "admin:{}_{}_import_template".format(*info)
        resource_class = self.get_import_resource_classes(request)[0]
        headers = result.diff_headers if result is not None else []
        return {
            "import_preview_headings": [resource_class.column_heading(h) for h in headers],
            "import_columns": self._import_resource(request).import_columns(),
            "import_template_urls": [
                (extension.upper(), reverse(name, kwargs={"extension": extension}))
                for extension in TEMPLATE_FORMATS
            ],
        }

    def import_action(self, request, **kwargs):
        response = super().import_action(request, **kwargs)
        if isinstance(response, TemplateResponse) and not response.is_rendered:
            response.context_data.update(self._import_help(request, response.context_data.get("result")))
        return response

    def add_data_read_fail_error_to_form(self, form, e):
        if isinstance(e, ImportFileError):
            form.add_error("import_file", str(e))
        else:
            super().add_data_read_fail_error_to_form(form, e)

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
                    **self._import_help(request, result),
                }
            )
            return TemplateResponse(request, [self.import_template_name], context, status=400)
        return super().process_result(result, request)


class RuleDataPermissions:
    """Versioned rule data (the ladder's rule sets, the score packs): every staff member may read
    it, only a superuser may add, change or delete it."""

    def has_view_permission(self, request, obj=None) -> bool:
        return request.user.is_active and request.user.is_staff

    def has_module_permission(self, request) -> bool:
        return self.has_view_permission(request)

    def has_add_permission(self, request) -> bool:
        return request.user.is_active and request.user.is_superuser

    def has_change_permission(self, request, obj=None) -> bool:
        return request.user.is_active and request.user.is_superuser

    def has_delete_permission(self, request, obj=None) -> bool:
        return request.user.is_active and request.user.is_superuser
