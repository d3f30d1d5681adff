#include "clients/branchctl/app.h"

int main(int argc, char** argv) { return branchline::ctl::Run(argc, argv); }
