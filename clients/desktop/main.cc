// branchline-desk: the Qt desktop client for the branch office. Tiny on purpose: flags, the
// API client and the main window; everything else is in the libraries and tested.
#include <QApplication>
#include <QCommandLineParser>
#include <QFont>

#include "clients/desktop/api/api_client.h"
#include "clients/desktop/views/main_window.h"

int main(int argc, char** argv) {
  QApplication app(argc, argv);
  QApplication::setApplicationName(QStringLiteral("branchline-desk"));
  QCommandLineParser parser;
  parser.setApplicationDescription(QStringLiteral("Branchline desktop admin client"));
  parser.addHelpOption();
  QCommandLineOption server(QStringLiteral("server"), QStringLiteral("Server address host:port"),
                            QStringLiteral("address"), QStringLiteral("127.0.0.1:50051"));
  parser.addOption(server);
  parser.process(app);
  branchline::desk::ApiClient api(parser.value(server));
  branchline::desk::MainWindow window(&api);
  window.resize(1400, 900);
  window.Start();
  return app.exec();
}
