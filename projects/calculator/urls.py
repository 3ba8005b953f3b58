from django.urls import path

from projects.calculator import views

app_name = "calculator"
urlpatterns = [
    path("calculator/", views.calculator, name="page"),
    path("calculator/preview/", views.preview, name="preview"),
    path("calculator/start/", views.start, name="start"),
]
