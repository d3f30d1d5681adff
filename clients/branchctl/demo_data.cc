#include "clients/branchctl/demo_data.h"

namespace branchline::ctl::demo {

const std::string& BranchName() {
  static const std::string name = "某某运输公司第三车队党支部";
  return name;
}

const std::vector<std::string>& Teams() {
  static const std::vector<std::string> teams = {"长途货运一班", "城际客运二班", "危险品运输三班"};
  return teams;
}

const std::vector<DemoPerson>& People() {
  static const std::vector<DemoPerson> people = {
      {"王建国", "13800000001", "CD3-001", v1::ROLE_SECRETARY, -1},
      {"李秀英", "13800000002", "CD3-002", v1::ROLE_COMMITTEE_MEMBER, -1},
      {"张伟", "13800000011", "CD3-011", v1::ROLE_FULL_MEMBER, 0},
      {"刘洋", "13800000012", "CD3-012", v1::ROLE_FULL_MEMBER, 0},
      {"陈静", "13800000013", "CD3-013", v1::ROLE_PROBATIONARY_MEMBER, 0},
      {"杨帆", "13800000014", "CD3-014", v1::ROLE_EMPLOYEE, 0},
      {"赵磊", "13800000021", "CD3-021", v1::ROLE_FULL_MEMBER, 1},
      {"黄晓明", "13800000022", "CD3-022", v1::ROLE_ACTIVIST, 1},
      {"周杰", "13800000023", "CD3-023", v1::ROLE_EMPLOYEE, 1},
      {"吴敏", "13800000024", "CD3-024", v1::ROLE_FULL_MEMBER, 1},
      {"徐海涛", "13800000031", "CD3-031", v1::ROLE_FULL_MEMBER, 2},
      {"孙丽", "13800000032", "CD3-032", v1::ROLE_EMPLOYEE, 2},
      {"马超", "13800000033", "CD3-033", v1::ROLE_PROBATIONARY_MEMBER, 2},
      {"朱红", "13800000034", "CD3-034", v1::ROLE_EMPLOYEE, 2},
  };
  return people;
}

const std::vector<DemoMaterial>& Materials() {
  static const std::vector<DemoMaterial> materials = {
      {"rules", v1::MATERIAL_KIND_DOCUMENT, "《道路运输车辆动态监督管理办法》学习要点",
       "一、车辆卫星定位装置必须保持正常使用，严禁人为屏蔽、干扰信号。\n"
       "二、驾驶员连续驾驶不得超过4小时，每次停车休息不少于20分钟。\n"
       "三、夜间（22时至次日6时）驾驶营运客车的速度不得超过日间限速的80%。",
       "", 60},
      {"winter", v1::MATERIAL_KIND_VIDEO, "冬季道路交通安全警示教育片", "",
       "https://example.com/branchline-demo/winter-driving.mp4", 30},
      {"lecture", v1::MATERIAL_KIND_LECTURE, "党课：新时代产业工人的责任与担当",
       "本次党课围绕安全生产责任、岗位建功和服务群众三个方面，结合车队近年来的典型事迹展开。", "",
       90},
      {"law", v1::MATERIAL_KIND_BOOK, "《中华人民共和国安全生产法》释义",
       "重点学习第三章“从业人员的安全生产权利义务”。", "", 120},
  };
  return materials;
}

const std::vector<DemoLetter>& Letters() {
  static const std::vector<DemoLetter> letters = {
      {"night-repair",
       2,
       false,
       v1::LETTER_CATEGORY_SUGGESTION,
       "建议把夜间车辆检修调整到白天",
       "夜班回场后再做检修，驾驶员休息不足。建议把例行检修安排在白天轮休时段，由修理班统一进行。",
       {v1::LETTER_STATE_ACKNOWLEDGED, v1::LETTER_STATE_IN_PROGRESS},
       "已转车队技术组评估检修排班，下周例会上答复。"},
      {"schedule",
       11,
       false,
       v1::LETTER_CATEGORY_DIFFICULTY,
       "家中老人住院，希望调整下周排班",
       "母亲下周一手术，需要陪护三天，希望能和同班组同事调换出车日期。",
       {v1::LETTER_STATE_ACKNOWLEDGED},
       "已收到，已请三班班长协调调班，请保持电话畅通。"},
      {"dispatch",
       8,
       true,
       v1::LETTER_CATEGORY_CRITICISM,
       "调度派单不够公平",
       "最近一个月好线路总是派给固定几个人，希望派单规则公开，按轮转执行。",
       {},
       ""},
      {"loading",
       10,
       false,
       v1::LETTER_CATEGORY_INNOVATION,
       "危险品车辆装卸流程改进建议",
       "建议在装卸前增加双人复核静电接地，并把检查表做成手机扫码填写，减少纸质记录。",
       {},
       ""},
  };
  return letters;
}

const std::vector<std::string>& StudyNotes() {
  static const std::vector<std::string> notes = {
      "学习了连续驾驶时间规定，以后出车前规划好休息点。",
      "冰雪路面要提前减速，保持安全车距，不急打方向。",
      "对照办法检查了自己车上的定位装置，运行正常。",
      "党课讲到岗位建功，我们班组可以从节油和零事故做起。",
      "复习了从业人员的权利义务，遇到违章指挥有权拒绝。",
      "",
  };
  return notes;
}

}  // namespace branchline::ctl::demo
